'use client';
import type { ModelInfo } from '@aiu/core';
import { ModelSelect } from '@aiu/react';

interface ModelPickerProps {
  value: string | null;
  onValueChange: (id: string | null) => void;
  label?: string;
}

/** Names the way the catalog has them, prices per 1M tokens: one style for every provider. */
function price(model: ModelInfo): string {
  if (!model.pricing) return 'price unknown';
  const at = (usd: number) => `$${Number(usd.toPrecision(3))}`;
  return `${at(model.pricing.input)} in · ${at(model.pricing.output)} out /1M`;
}

/** The example's styling of aiu's headless ModelSelect: a combobox over chat models. */
export function ModelPicker({ value, onValueChange, label = 'Model' }: ModelPickerProps) {
  return (
    <ModelSelect value={value} onValueChange={onValueChange} kinds={['chat']} excludeDeprecated>
      {(api) => (
        <div className="model-select">
          <label {...api.getLabelProps()}>{label}</label>
          <div className="combo">
            <input {...api.getInputProps({ placeholder: 'Search models…' })} />
            <button {...api.getToggleButtonProps({ 'aria-label': `Show ${label.toLowerCase()} list` })}>▾</button>
          </div>
          <span className="visually-hidden" {...api.getStatusProps()} />
          {api.isLoading ? <p className="muted">Loading models…</p> : null}
          {api.error ? <p className="error">Could not load the models: {api.error.message}</p> : null}
          <div className="listbox" {...api.getListboxProps()} hidden={!api.isOpen}>
            {api.isOpen && api.filteredModels.length === 0 ? <p className="empty">No models match “{api.query}”.</p> : null}
            {api.isOpen
              ? api.groups.map((group) => (
                  <div key={group.provider} {...api.getGroupProps({ provider: group.provider })}>
                    <div className="group-label" {...api.getGroupLabelProps({ provider: group.provider })}>
                      {group.provider}
                    </div>
                    {group.items.slice(0, 200).map(({ model, index }) => (
                      <div key={model.id} className="option" {...api.getOptionProps({ model, index })}>
                        <span>{model.name}</span>
                        <small>{price(model)}</small>
                      </div>
                    ))}
                  </div>
                ))
              : null}
          </div>
        </div>
      )}
    </ModelSelect>
  );
}
