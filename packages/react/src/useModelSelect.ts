import type { ModelInfo } from '@aiu/core';
import {
  type ChangeEvent,
  type FocusEvent,
  type HTMLAttributes,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type LabelHTMLAttributes,
  type MouseEvent,
  type Ref,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { applyModelFilter, groupByProvider, type ModelFilter, type ModelGroup, searchIndex, searchModels } from './core/modelFilter';
import {
  type ModelSelectAction,
  ModelSelectActions,
  type ModelSelectState,
  modelSelectChanges,
  type StateReducer,
} from './core/modelSelectState';
import type { AiuRequestError } from './core/fetchJson';
import { useModels } from './useModels';
import { composeHandlers, dataFlag, mergeRefs, propsOrEmpty } from './utils/mergeProps';
import { useControllableState } from './utils/useControllableState';

export { ModelSelectActions, type ModelSelectState, type ModelSelectAction, type StateReducer } from './core/modelSelectState';

export interface UseModelSelectProps extends ModelFilter {
  /** Selected model id; a value that is not `undefined` makes the selection controlled. */
  value?: string | null;
  defaultValue?: string | null;
  onValueChange?: (id: string | null, model: ModelInfo | null) => void;
  open?: boolean;
  defaultOpen?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** Use this list instead of fetching `/models`. */
  models?: ModelInfo[];
  /** Change any state transition: gets the state and the proposed changes, returns the changes to apply. */
  stateReducer?: StateReducer;
  /** Base for element ids; a stable one is generated otherwise. */
  id?: string;
}

type DataAttributes = { [key: `data-${string}`]: unknown };
/** What a getter accepts: the element's props, a ref of any kind, `data-*` attributes. */
type Props<E> = HTMLAttributes<E> & { ref?: Ref<E> } & DataAttributes;
/** What a getter returns: refs come back merged into one callback, assignable to any element's ref. */
type Out<E> = HTMLAttributes<E> & { ref?: (node: E | null) => void } & DataAttributes;

export interface ModelSelectApi {
  models: ModelInfo[];
  /** The models that pass the filters and the query, in display order. */
  filteredModels: ModelInfo[];
  /** `filteredModels` grouped by provider; each item keeps its index in `filteredModels`. */
  groups: ModelGroup[];
  selectedModel: ModelInfo | null;
  query: string;
  setQuery: (query: string) => void;
  select: (id: string | null) => void;
  isOpen: boolean;
  open: () => void;
  close: () => void;
  highlightedIndex: number;
  isLoading: boolean;
  error: AiuRequestError | null;
  /** "12 models" — for a polite live region while filtering. */
  resultsAnnouncement: string;
  getLabelProps: <P extends LabelHTMLAttributes<HTMLLabelElement>>(props?: P) => P & LabelHTMLAttributes<HTMLLabelElement>;
  getInputProps: <P extends InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }>(props?: P) => P & InputHTMLAttributes<HTMLInputElement> & { ref: Ref<HTMLInputElement> } & DataAttributes;
  getToggleButtonProps: <P extends Props<HTMLButtonElement>>(props?: P) => Omit<P, 'ref'> & Out<HTMLButtonElement> & { type: 'button' };
  getListboxProps: <P extends Props<HTMLElement>>(props?: P) => Omit<P, 'ref'> & Out<HTMLElement>;
  getGroupProps: <P extends Props<HTMLElement>>(options: { provider: string } & P) => Omit<P, 'provider' | 'ref'> & Out<HTMLElement>;
  getGroupLabelProps: <P extends Props<HTMLElement>>(options: { provider: string } & P) => Omit<P, 'provider' | 'ref'> & Out<HTMLElement>;
  getOptionProps: <P extends Props<HTMLElement>>(options: { model: ModelInfo; index: number } & P) => Omit<P, 'model' | 'index' | 'ref'> & Out<HTMLElement>;
  getStatusProps: <P extends Props<HTMLElement>>(props?: P) => Omit<P, 'ref'> & Out<HTMLElement>;
}

const NO_MODELS: ModelInfo[] = [];

/** Passes the user's props on with their ref (object or callback) as one callback ref. */
function withRef<P extends object>(props: P): Omit<P, 'ref'> & { ref?: (node: HTMLElement | null) => void } {
  const { ref, ...rest } = props as P & { ref?: Ref<HTMLElement> };
  return ref ? { ...rest, ref: mergeRefs(ref) } : rest;
}

/**
 * A model picker as a WAI-ARIA combobox: type to filter by id or name, arrows / Home /
 * End / PageUp / PageDown to move, Enter to choose, Escape to close (then to clear).
 */
export function useModelSelect(props: UseModelSelectProps = {}): ModelSelectApi {
  const { kinds, providers, minContext, excludeDeprecated, capabilities, filter } = props;
  const fetched = useModels({ enabled: props.models === undefined });
  const models = props.models ?? fetched.allModels ?? NO_MODELS;

  const eligible = useMemo(
    () => applyModelFilter(models, { kinds, providers, minContext, excludeDeprecated, capabilities, filter }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [models, kinds?.join(), providers?.join(), minContext, excludeDeprecated, capabilities?.join(), filter],
  );
  const index = useMemo(() => searchIndex(eligible), [eligible]);

  const [selectedId, setSelectedId] = useControllableState<string | null>({
    prop: props.value,
    defaultProp: props.defaultValue ?? null,
    onChange: (id) => props.onValueChange?.(id, latest.current.models.find((model) => model.id === id) ?? null),
  });
  const [isOpen, setIsOpen] = useControllableState<boolean>({ prop: props.open, defaultProp: props.defaultOpen ?? false, onChange: props.onOpenChange });
  const [local, setLocal] = useState({ query: '', highlightedIndex: -1 });
  const state: ModelSelectState = { ...local, selectedId, isOpen };

  const filteredModels = useMemo(() => searchModels(eligible, index, state.query), [eligible, index, state.query]);
  const groups = useMemo(() => groupByProvider(filteredModels), [filteredModels]);
  const selectedModel = useMemo(() => models.find((model) => model.id === state.selectedId) ?? null, [models, state.selectedId]);

  // The latest values, for stable callbacks.
  const latest = useRef({ state, props, filteredModels, models });
  latest.current = { state, props, filteredModels, models };

  const dispatch = useCallback((action: ModelSelectAction) => {
    const { state: current, props: currentProps, filteredModels: list } = latest.current;
    const proposed = modelSelectChanges(current, action, {
      count: list.length,
      idAt: (i) => list[i]?.id,
      selectedIndex: list.findIndex((model) => model.id === current.selectedId),
    });
    const changes = currentProps.stateReducer ? currentProps.stateReducer(current, { ...action, changes: proposed }) : proposed;
    if (Object.keys(changes).length === 0) return;
    const { selectedId: nextSelected, isOpen: nextOpen, ...rest } = changes;
    if (Object.keys(rest).length) setLocal((previous) => ({ ...previous, ...rest }));
    if (nextSelected !== undefined) setSelectedId(nextSelected);
    if (nextOpen !== undefined) setIsOpen(nextOpen);
  }, [setSelectedId, setIsOpen]);

  useEffect(() => dispatch({ type: ModelSelectActions.OptionsChange }), [filteredModels, dispatch]);

  const generated = useId();
  const base = props.id ?? `aiu-model-select${generated.replace(/:/g, '')}`;
  const ids = {
    label: `${base}-label`,
    input: `${base}-input`,
    listbox: `${base}-listbox`,
    // Keyed by model, not position: filtering then leaves most options' DOM untouched.
    option: (modelId: string) => `${base}-option-${modelId.replace(/[^a-zA-Z0-9_-]/g, '_')}`,
    group: (provider: string) => `${base}-group-${provider.replace(/[^a-zA-Z0-9_-]/g, '_')}`,
  };

  // Keep the highlighted option visible while moving with the keyboard.
  const optionElements = useRef(new Map<number, HTMLElement>());
  useEffect(() => {
    if (!state.isOpen || state.highlightedIndex < 0) return;
    optionElements.current.get(state.highlightedIndex)?.scrollIntoView?.({ block: 'nearest' });
  }, [state.isOpen, state.highlightedIndex]);

  const keyActions: Record<string, ModelSelectAction['type']> = {
    ArrowDown: ModelSelectActions.InputKeyDownArrowDown,
    ArrowUp: ModelSelectActions.InputKeyDownArrowUp,
    Home: ModelSelectActions.InputKeyDownHome,
    End: ModelSelectActions.InputKeyDownEnd,
    PageDown: ModelSelectActions.InputKeyDownPageDown,
    PageUp: ModelSelectActions.InputKeyDownPageUp,
    Enter: ModelSelectActions.InputKeyDownEnter,
    Escape: ModelSelectActions.InputKeyDownEscape,
  };

  const onInputKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const type = keyActions[event.key];
    if (!type) return;
    // Home/End move the caret while the list is closed, as in a text field.
    if ((event.key === 'Home' || event.key === 'End') && !state.isOpen) return;
    if (event.key === 'Enter' && !state.isOpen) return;
    if (event.key === 'Escape' && !state.isOpen && !state.query) return;
    event.preventDefault();
    dispatch({ type });
  };

  const highlighted = state.isOpen && state.highlightedIndex >= 0 ? filteredModels[state.highlightedIndex] : undefined;
  const count = filteredModels.length;

  return {
    models: eligible,
    filteredModels,
    groups,
    selectedModel,
    query: state.query,
    setQuery: (query) => dispatch({ type: ModelSelectActions.FunctionSetQuery, query }),
    select: (id) => dispatch({ type: ModelSelectActions.FunctionSelect, id }),
    isOpen: state.isOpen,
    open: () => dispatch({ type: ModelSelectActions.FunctionOpen }),
    close: () => dispatch({ type: ModelSelectActions.FunctionClose }),
    highlightedIndex: state.highlightedIndex,
    isLoading: props.models === undefined && fetched.isLoading,
    error: props.models === undefined ? fetched.error : null,
    resultsAnnouncement: state.isOpen ? `${count} ${count === 1 ? 'model' : 'models'}` : '',

    getLabelProps: <P extends LabelHTMLAttributes<HTMLLabelElement>>(user?: P) => ({ id: ids.label, htmlFor: ids.input, ...propsOrEmpty(user) }),

    getInputProps: ((user: InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> } = {}): InputHTMLAttributes<HTMLInputElement> & { ref: Ref<HTMLInputElement> } & DataAttributes => {
      const { ref, onChange, onKeyDown, onBlur, onClick, ...rest } = user;
      return {
        id: ids.input,
        role: 'combobox',
        type: 'text',
        autoComplete: 'off',
        spellCheck: false,
        'aria-autocomplete': 'list',
        'aria-expanded': state.isOpen,
        'aria-controls': ids.listbox,
        'aria-activedescendant': highlighted ? ids.option(highlighted.id) : undefined,
        'data-state': state.isOpen ? 'open' : 'closed',
        value: state.isOpen || state.query ? state.query : (selectedModel?.name ?? ''),
        ...rest,
        ref: mergeRefs(ref),
        onChange: composeHandlers(onChange, (event: ChangeEvent<HTMLInputElement>) =>
          dispatch({ type: ModelSelectActions.InputChange, query: event.target.value }),
        ),
        onKeyDown: composeHandlers(onKeyDown, onInputKeyDown),
        onBlur: composeHandlers(onBlur, (_event: FocusEvent<HTMLInputElement>) => dispatch({ type: ModelSelectActions.InputBlur })),
        onClick: composeHandlers(onClick, (_event: MouseEvent<HTMLInputElement>) => dispatch({ type: ModelSelectActions.InputClick })),
      };
    }) as ModelSelectApi['getInputProps'],

    getToggleButtonProps: ((user: Props<HTMLButtonElement> = {}): Out<HTMLButtonElement> & { type: 'button' } => {
      const { onClick, ...rest } = user;
      return {
        type: 'button' as const,
        tabIndex: -1,
        'aria-label': state.isOpen ? 'Hide models' : 'Show models',
        'aria-controls': ids.listbox,
        'aria-expanded': state.isOpen,
        'data-state': state.isOpen ? 'open' : 'closed',
        ...withRef(rest),
        onClick: composeHandlers(onClick, () => dispatch({ type: ModelSelectActions.ToggleButtonClick })),
      };
    }) as ModelSelectApi['getToggleButtonProps'],

    getListboxProps: ((user: Props<HTMLElement> = {}): Out<HTMLElement> => ({
      id: ids.listbox,
      role: 'listbox',
      'aria-labelledby': ids.label,
      'data-state': state.isOpen ? 'open' : 'closed',
      ...withRef(user),
    })) as ModelSelectApi['getListboxProps'],

    getGroupProps: (({ provider, ...user }: { provider: string } & Props<HTMLElement>): Out<HTMLElement> => ({
      role: 'group',
      'aria-labelledby': ids.group(provider),
      ...withRef(user),
    })) as ModelSelectApi['getGroupProps'],

    getGroupLabelProps: (({ provider, ...user }: { provider: string } & Props<HTMLElement>): Out<HTMLElement> => ({
      id: ids.group(provider),
      role: 'presentation',
      ...withRef(user),
    })) as ModelSelectApi['getGroupLabelProps'],

    getOptionProps: (({ model, index: i, ...user }: { model: ModelInfo; index: number } & Props<HTMLElement>): Out<HTMLElement> => {
      const { ref, onClick, onMouseMove, onMouseDown, ...rest } = user;
      const isHighlighted = state.isOpen && i === state.highlightedIndex;
      const isSelected = model.id === state.selectedId;
      return {
        id: ids.option(model.id),
        role: 'option',
        'aria-selected': isSelected,
        'data-highlighted': dataFlag(isHighlighted),
        'data-selected': dataFlag(isSelected),
        'data-deprecated': dataFlag(model.deprecated),
        ...rest,
        ref: mergeRefs<HTMLElement>(ref, (element) => {
          if (element) optionElements.current.set(i, element);
          else optionElements.current.delete(i);
        }),
        // Keep focus in the input: choosing an option must not blur the combobox.
        onMouseDown: composeHandlers(onMouseDown, (event: MouseEvent<HTMLElement>) => event.preventDefault()),
        onMouseMove: composeHandlers(onMouseMove, () => {
          if (i !== latest.current.state.highlightedIndex) dispatch({ type: ModelSelectActions.OptionMouseMove, index: i });
        }),
        onClick: composeHandlers(onClick, () => dispatch({ type: ModelSelectActions.OptionClick, index: i })),
      };
    }) as ModelSelectApi['getOptionProps'],

    getStatusProps: ((user: Props<HTMLElement> = {}): Out<HTMLElement> => ({
      role: 'status',
      'aria-live': 'polite',
      'aria-atomic': true,
      children: state.isOpen ? `${count} ${count === 1 ? 'model' : 'models'}` : '',
      ...withRef(user),
    })) as ModelSelectApi['getStatusProps'],
  };
}
