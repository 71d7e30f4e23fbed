/** What every page says while replies are recorded ones (the Express app, the Next app, `aiu serve`). */
export function DemoBanner() {
  return (
    <p className="banner" role="status">
      <strong>Demo mode:</strong> replies are recorded provider responses replayed locally, and keys are stored but not checked. Set a provider key (e.g.{' '}
      <code>OPENAI_API_KEY</code>) and restart to talk to a real model.
    </p>
  );
}
