/** The state a ModelSelect keeps; `selectedId` and `isOpen` may be controlled by props. */
export interface ModelSelectState {
  isOpen: boolean;
  query: string;
  highlightedIndex: number;
  selectedId: string | null;
}

export const ModelSelectActions = {
  InputChange: 'input_change',
  InputKeyDownArrowDown: 'input_keydown_arrow_down',
  InputKeyDownArrowUp: 'input_keydown_arrow_up',
  InputKeyDownHome: 'input_keydown_home',
  InputKeyDownEnd: 'input_keydown_end',
  InputKeyDownPageDown: 'input_keydown_page_down',
  InputKeyDownPageUp: 'input_keydown_page_up',
  InputKeyDownEnter: 'input_keydown_enter',
  InputKeyDownEscape: 'input_keydown_escape',
  InputBlur: 'input_blur',
  InputClick: 'input_click',
  OptionMouseMove: 'option_mouse_move',
  OptionClick: 'option_click',
  ToggleButtonClick: 'toggle_button_click',
  FunctionSelect: 'function_select',
  FunctionSetQuery: 'function_set_query',
  FunctionOpen: 'function_open',
  FunctionClose: 'function_close',
  /** The options showing changed under an open list (models arrived, or a filter prop changed). */
  OptionsChange: 'options_change',
} as const;

export type ModelSelectActionType = (typeof ModelSelectActions)[keyof typeof ModelSelectActions];

export interface ModelSelectAction {
  type: ModelSelectActionType;
  /** For input and set-query actions. */
  query?: string;
  /** For option and select actions. */
  index?: number;
  id?: string | null;
}

export type StateReducer = (
  state: ModelSelectState,
  action: ModelSelectAction & { changes: Partial<ModelSelectState> },
) => Partial<ModelSelectState>;

const PAGE = 10;

/**
 * What each action changes, given how many options are showing and which ids they have.
 * Pure: the hook feeds the result through the user's `stateReducer` before applying it.
 */
export function modelSelectChanges(
  state: ModelSelectState,
  action: ModelSelectAction,
  options: { count: number; idAt: (index: number) => string | undefined; selectedIndex: number },
): Partial<ModelSelectState> {
  const last = options.count - 1;
  const clamp = (index: number) => (options.count === 0 ? -1 : Math.max(0, Math.min(last, index)));
  const openAt = (index: number): Partial<ModelSelectState> => ({ isOpen: true, highlightedIndex: clamp(index) });
  const start = options.selectedIndex >= 0 ? options.selectedIndex : 0;
  switch (action.type) {
    case ModelSelectActions.InputChange:
    case ModelSelectActions.FunctionSetQuery:
      return { query: action.query ?? '', isOpen: true, highlightedIndex: options.count > 0 ? 0 : -1 };
    case ModelSelectActions.InputKeyDownArrowDown:
      return state.isOpen ? { highlightedIndex: clamp(state.highlightedIndex + 1) } : openAt(start);
    case ModelSelectActions.InputKeyDownArrowUp:
      return state.isOpen ? { highlightedIndex: clamp(state.highlightedIndex - 1) } : openAt(options.selectedIndex >= 0 ? options.selectedIndex : last);
    case ModelSelectActions.InputKeyDownHome:
      return openAt(0);
    case ModelSelectActions.InputKeyDownEnd:
      return openAt(last);
    case ModelSelectActions.InputKeyDownPageDown:
      return state.isOpen ? { highlightedIndex: clamp(state.highlightedIndex + PAGE) } : openAt(start);
    case ModelSelectActions.InputKeyDownPageUp:
      return state.isOpen ? { highlightedIndex: clamp(state.highlightedIndex - PAGE) } : openAt(start);
    case ModelSelectActions.InputKeyDownEnter:
    case ModelSelectActions.OptionClick: {
      const index = action.type === ModelSelectActions.OptionClick ? (action.index ?? -1) : state.highlightedIndex;
      const id = options.idAt(index);
      if (!state.isOpen && action.type === ModelSelectActions.InputKeyDownEnter) return {};
      return id === undefined ? { isOpen: false } : { selectedId: id, isOpen: false, query: '', highlightedIndex: -1 };
    }
    case ModelSelectActions.InputKeyDownEscape:
      return state.isOpen ? { isOpen: false, highlightedIndex: -1 } : { query: '' };
    case ModelSelectActions.InputBlur:
    case ModelSelectActions.FunctionClose:
      return { isOpen: false, highlightedIndex: -1 };
    case ModelSelectActions.InputClick:
    case ModelSelectActions.FunctionOpen:
      return state.isOpen ? {} : openAt(start);
    case ModelSelectActions.ToggleButtonClick:
      return state.isOpen ? { isOpen: false, highlightedIndex: -1 } : openAt(start);
    case ModelSelectActions.OptionMouseMove:
      return { highlightedIndex: clamp(action.index ?? -1) };
    case ModelSelectActions.OptionsChange:
      // Typed before the list arrived: highlight the first match, as typing would have. A list
      // that shrank under the highlight keeps it on an option.
      if (!state.isOpen) return {};
      if (state.highlightedIndex < 0) return state.query && options.count > 0 ? { highlightedIndex: 0 } : {};
      return state.highlightedIndex > last ? { highlightedIndex: clamp(state.highlightedIndex) } : {};
    case ModelSelectActions.FunctionSelect:
      return { selectedId: action.id ?? null, isOpen: false, query: '', highlightedIndex: -1 };
    default:
      return {};
  }
}
