import axe from 'axe-core';

/** Runs axe on a rendered container and returns its violations (ids and targets). */
export async function axeViolations(container: Element): Promise<Array<{ id: string; nodes: string[] }>> {
  const results = await axe.run(container, { rules: { region: { enabled: false } } });
  return results.violations.map((violation) => ({
    id: violation.id,
    nodes: violation.nodes.map((node) => node.target.join(' ')),
  }));
}
