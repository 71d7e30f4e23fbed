import type { KeyScope, KeySummary, KeyValidation } from '@aiu/core';
import { ApiKeySchema, KeyAliasSchema } from '@aiu/core/lite';
import {
  type ButtonHTMLAttributes,
  type ChangeEvent,
  type FormEvent,
  type FormHTMLAttributes,
  type HTMLAttributes,
  type InputHTMLAttributes,
  type LabelHTMLAttributes,
  type MouseEvent,
  useId,
  useRef,
  useState,
} from 'react';
import type { AiuClientError } from './core/errors';
import { useProviderKeys } from './useProviderKeys';
import { composeHandlers, propsOrEmpty } from './utils/mergeProps';
import { useControllableState } from './utils/useControllableState';

type DataAttributes = { [key: `data-${string}`]: unknown };

export type KeyFormField = 'alias' | 'key';
export type KeyFormStatus = 'idle' | 'validating' | 'saving' | 'saved' | 'error';

export interface UseProviderKeyFormProps {
  provider: string;
  /** The alias field, controlled (anything but `undefined`). The key itself is never controlled: it stays inside the form until saved. */
  alias?: string;
  defaultAlias?: string;
  onAliasChange?: (alias: string) => void;
  /** Ask the provider before storing (default true): a key it rejects is never saved. */
  validateBeforeSave?: boolean;
  scopes?: KeyScope[];
  /** Overwrite a key with the same alias instead of failing with `conflict`. */
  replace?: boolean;
  onSaved?: (summary: KeySummary) => void;
}

export interface ProviderKeyFormApi {
  values: { alias: string; key: string };
  setValue: (field: KeyFormField, value: string) => void;
  /** Checks the fields, then asks the provider whether the key works. */
  validate: () => Promise<KeyValidation | null>;
  /** Checks, validates (unless turned off) and stores the key; the typed key is then cleared. */
  save: () => Promise<KeySummary | null>;
  status: KeyFormStatus;
  validation: KeyValidation | null;
  error: AiuClientError | null;
  fieldErrors: Partial<Record<KeyFormField, string>>;
  keyVisible: boolean;
  /** One sentence per state change, for a polite live region. */
  statusMessage: string;
  getFormProps: <P extends FormHTMLAttributes<HTMLFormElement>>(props?: P) => P & FormHTMLAttributes<HTMLFormElement>;
  getLabelProps: <P extends LabelHTMLAttributes<HTMLLabelElement>>(field: KeyFormField, props?: P) => P & LabelHTMLAttributes<HTMLLabelElement>;
  getFieldProps: <P extends InputHTMLAttributes<HTMLInputElement>>(field: KeyFormField, props?: P) => P & InputHTMLAttributes<HTMLInputElement>;
  getErrorProps: <P extends HTMLAttributes<HTMLElement>>(field: KeyFormField, props?: P) => P & HTMLAttributes<HTMLElement>;
  getToggleVisibilityProps: <P extends ButtonHTMLAttributes<HTMLButtonElement>>(props?: P) => P & ButtonHTMLAttributes<HTMLButtonElement>;
  getSubmitProps: <P extends ButtonHTMLAttributes<HTMLButtonElement>>(props?: P) => P & ButtonHTMLAttributes<HTMLButtonElement>;
  getStatusProps: <P extends HTMLAttributes<HTMLElement>>(props?: P) => P & HTMLAttributes<HTMLElement>;
}

function fieldError(field: KeyFormField, value: string): string | undefined {
  const result = (field === 'alias' ? KeyAliasSchema : ApiKeySchema).safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? `Check the ${field}.`);
}

const STATUS_MESSAGES: Record<KeyFormStatus, string> = {
  idle: '',
  validating: 'Checking the key with the provider…',
  saving: 'Saving the key…',
  saved: 'Key saved.',
  error: '',
};

/**
 * Adding a provider key: alias and key fields with labels and errors wired for
 * assistive tech, a show/hide toggle, validate-then-save. The typed key leaves state
 * as soon as it is saved, and is never read back from the server.
 */
export function useProviderKeyForm(props: UseProviderKeyFormProps): ProviderKeyFormApi {
  const keys = useProviderKeys();
  const [alias, setAlias] = useControllableState({ prop: props.alias, defaultProp: props.defaultAlias ?? 'default', onChange: props.onAliasChange });
  const [key, setKey] = useState('');
  const values = { alias, key };
  const [status, setStatus] = useState<KeyFormStatus>('idle');
  const [validation, setValidation] = useState<KeyValidation | null>(null);
  const [error, setError] = useState<AiuClientError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<KeyFormField, string>>>({});
  const [keyVisible, setKeyVisible] = useState(false);
  const latest = useRef(values);
  latest.current = values;

  const base = `aiu-key-form${useId().replace(/:/g, '')}`;
  const ids = {
    field: (field: KeyFormField) => `${base}-${field}`,
    label: (field: KeyFormField) => `${base}-${field}-label`,
    error: (field: KeyFormField) => `${base}-${field}-error`,
  };

  const busy = status === 'validating' || status === 'saving';

  function checkFields(): boolean {
    const errors: Partial<Record<KeyFormField, string>> = {};
    for (const field of ['alias', 'key'] as const) {
      const message = fieldError(field, latest.current[field]);
      if (message) errors[field] = message;
    }
    setFieldErrors(errors);
    if (Object.keys(errors).length) {
      setStatus('error');
      setError({ code: 'invalid_request', message: 'Check the highlighted fields.', retryable: false });
      return false;
    }
    return true;
  }

  function fail(failure: AiuClientError, field?: KeyFormField): null {
    setStatus('error');
    setError(failure);
    if (field) setFieldErrors((previous) => ({ ...previous, [field]: failure.message }));
    return null;
  }

  async function validate(): Promise<KeyValidation | null> {
    if (busy || !checkFields()) return null;
    setStatus('validating');
    setError(null);
    try {
      const result = await keys.validateKey({ provider: props.provider, key: latest.current.key.trim() });
      setValidation(result);
      if (!result.valid) {
        fail({ code: result.error?.code ?? 'key_rejected', message: result.error?.message ?? 'The provider rejected this key.', retryable: false }, 'key');
        return result;
      }
      setStatus('idle');
      return result;
    } catch (caught) {
      return fail(caught as AiuClientError);
    }
  }

  async function save(): Promise<KeySummary | null> {
    if (busy || !checkFields()) return null;
    setError(null);
    const validateFirst = props.validateBeforeSave ?? true;
    if (validateFirst) {
      const result = await validate();
      if (!result?.valid) return null;
    }
    setStatus('saving');
    try {
      const summary = await keys.saveKey({
        provider: props.provider,
        alias: latest.current.alias.trim(),
        key: latest.current.key.trim(),
        ...(props.scopes ? { scopes: props.scopes } : {}),
        ...(validateFirst ? { validate: true } : {}),
        ...(props.replace ? { replace: true } : {}),
      });
      // The typed key leaves memory the moment the server has it.
      setKey('');
      setKeyVisible(false);
      setStatus('saved');
      props.onSaved?.(summary);
      return summary;
    } catch (caught) {
      const failure = caught as AiuClientError;
      return fail(failure, failure.code === 'conflict' ? 'alias' : failure.code === 'key_rejected' ? 'key' : undefined);
    }
  }

  const setValue = (field: KeyFormField, value: string) => {
    if (field === 'alias') setAlias(value);
    else setKey(value);
    if (fieldErrors[field]) setFieldErrors((previous) => ({ ...previous, [field]: undefined }));
    if (status === 'saved' || status === 'error') setStatus('idle');
  };

  const statusMessage = status === 'error' ? (error?.message ?? '') : STATUS_MESSAGES[status];

  return {
    values,
    setValue,
    validate,
    save,
    status,
    validation,
    error,
    fieldErrors,
    keyVisible,
    statusMessage,

    getFormProps: ((user: FormHTMLAttributes<HTMLFormElement> = {}): FormHTMLAttributes<HTMLFormElement> & DataAttributes => {
      const { onSubmit, ...rest } = user;
      return {
        noValidate: true,
        'aria-busy': busy,
        'data-state': status,
        ...rest,
        onSubmit: composeHandlers(onSubmit, (event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          void save();
        }),
      };
    }) as ProviderKeyFormApi['getFormProps'],

    getLabelProps: <P extends LabelHTMLAttributes<HTMLLabelElement>>(field: KeyFormField, user?: P) => ({ id: ids.label(field), htmlFor: ids.field(field), ...propsOrEmpty(user) }),

    getFieldProps: ((field: KeyFormField, user: InputHTMLAttributes<HTMLInputElement> = {}): InputHTMLAttributes<HTMLInputElement> & DataAttributes => {
      const { onChange, ...rest } = user;
      const message = fieldErrors[field];
      return {
        id: ids.field(field),
        name: field,
        value: values[field],
        required: true,
        autoComplete: 'off',
        spellCheck: false,
        'aria-invalid': message ? true : undefined,
        'aria-describedby': message ? ids.error(field) : undefined,
        'data-invalid': message ? '' : undefined,
        ...(field === 'key' ? { type: keyVisible ? 'text' : 'password', autoCapitalize: 'off', autoCorrect: 'off' } : { type: 'text' }),
        ...rest,
        onChange: composeHandlers(onChange, (event: ChangeEvent<HTMLInputElement>) => setValue(field, event.target.value)),
      };
    }) as ProviderKeyFormApi['getFieldProps'],

    getErrorProps: <P extends HTMLAttributes<HTMLElement>>(field: KeyFormField, user?: P) => ({ id: ids.error(field), role: 'alert', children: fieldErrors[field] ?? '', ...propsOrEmpty(user) }),

    getToggleVisibilityProps: ((user: ButtonHTMLAttributes<HTMLButtonElement> = {}): ButtonHTMLAttributes<HTMLButtonElement> & DataAttributes => {
      const { onClick, ...rest } = user;
      return {
        type: 'button',
        'aria-pressed': keyVisible,
        'aria-controls': ids.field('key'),
        'aria-label': keyVisible ? 'Hide key' : 'Show key',
        'data-state': keyVisible ? 'visible' : 'hidden',
        ...rest,
        onClick: composeHandlers(onClick, (_event: MouseEvent<HTMLButtonElement>) => setKeyVisible((visible) => !visible)),
      };
    }) as ProviderKeyFormApi['getToggleVisibilityProps'],

    getSubmitProps: <P extends ButtonHTMLAttributes<HTMLButtonElement>>(user?: P) => ({ type: 'submit' as const, disabled: busy, 'aria-disabled': busy, 'data-state': status, ...propsOrEmpty(user) }),

    getStatusProps: <P extends HTMLAttributes<HTMLElement>>(user?: P) => ({ role: 'status', 'aria-live': 'polite' as const, children: statusMessage, ...propsOrEmpty(user) }),
  };
}
