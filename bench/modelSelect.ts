// ModelSelect: re-filtering 1,000 models per keystroke, the filter alone and a full React
// commit in jsdom, against a naive filter (lower-casing every model on every keystroke).
import type { ModelInfo } from '@aiu/core';
import { median, type Benchmark, type Figure } from './stats';

function makeModels(count: number): ModelInfo[] {
  const providers = ['anthropic', 'google', 'openai', 'openrouter'];
  return Array.from({ length: count }, (_, i) => {
    const provider = providers[i % providers.length] as string;
    return {
      id: `${provider}:vendor-${i % 37}/model-${String(i).padStart(4, '0')}`,
      provider,
      name: `Vendor ${i % 37} Model ${String(i).padStart(4, '0')} Instruct`,
      kind: 'chat',
      contextWindow: 128000,
      maxOutput: 4096,
      pricing: { input: 1, output: 2 },
      capabilities: ['tools'],
      deprecated: false,
    };
  });
}

const TYPED = 'vendor 1 model 02';

export const modelSelectBenchmark: Benchmark = {
  name: 'ModelSelect',
  async run({ quick }) {
    const { JSDOM } = await import('jsdom');
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
    Object.assign(globalThis, { window: dom.window, document: dom.window.document, navigator: dom.window.navigator, HTMLElement: dom.window.HTMLElement });
    const React = await import('react');
    const { createRoot } = await import('react-dom/client');
    // Production React has no act(): flushSync renders and commits within the call we time.
    const { flushSync } = await import('react-dom');
    const { ModelSelect } = await import('@aiu/react');
    const { searchIndex, searchModels } = await import('../packages/react/src/core/modelFilter');

    const models = makeModels(1000);
    const rounds = quick ? 20 : 100;
    const prefixes = Array.from({ length: TYPED.length }, (_, i) => TYPED.slice(0, i + 1));

    // The filter alone, as ModelSelect runs it (index built once per list).
    const index = searchIndex(models);
    const ours: number[] = [];
    const naive: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const query of prefixes) {
        let t = performance.now();
        searchModels(models, index, query);
        ours.push(performance.now() - t);
        t = performance.now();
        const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
        models.filter((m) => terms.every((term) => `${m.id} ${m.name}`.toLowerCase().includes(term)));
        naive.push(performance.now() - t);
      }
    }

    // A full keystroke: dispatch the input change and commit the re-rendered option list.
    const container = document.createElement('div');
    document.body.appendChild(container);
    const root = createRoot(container);
    const h = React.createElement;
    flushSync(() => {
      root.render(
        h(ModelSelect, { models, defaultOpen: true, children: (api: import('@aiu/react').ModelSelectApi) =>
          h('div', null, h('input', api.getInputProps()), h('div', api.getListboxProps(), api.filteredModels.map((model, i) => h('div', { key: model.id, ...api.getOptionProps({ model, index: i }) }, model.name)))),
        }),
      );
    });
    const input = container.querySelector('input') as HTMLInputElement;
    const setValue = Object.getOwnPropertyDescriptor(dom.window.HTMLInputElement.prototype, 'value')?.set as (v: string) => void;
    const keystrokes: number[] = [];
    const reactRounds = quick ? 3 : 10;
    for (let r = 0; r < reactRounds; r++) {
      for (const query of ['', ...prefixes]) {
        const t = performance.now();
        flushSync(() => {
          setValue.call(input, query);
          input.dispatchEvent(new dom.window.Event('input', { bubbles: true }));
        });
        keystrokes.push(performance.now() - t);
      }
    }
    root.unmount();
    dom.window.close();

    const oursMedian = median(ours) * 1000;
    const naiveMedian = median(naive) * 1000;
    const figures: Figure[] = [
      { name: 'filter 1,000 models per keystroke', value: oursMedian, unit: 'µs', ratio: { to: 'naive filter', value: oursMedian / naiveMedian } },
      { name: 'naive filter (baseline)', value: naiveMedian, unit: 'µs' },
      { name: 'keystroke → commit of up to 1,000 options (jsdom)', value: median(keystrokes), unit: 'ms', goal: { value: 16.7, lowerIsBetter: true } },
    ];
    return figures;
  },
};
