// The example's server tool: aiu runs it when the model calls it (and asks the user first).
// Its answers are recorded data, so the demo needs no weather service.

const RECORDED = {
  'san francisco': { location: 'San Francisco', temperatureC: 16, conditions: 'fog in the morning, sunny later', observedAt: '2026-11-30T09:00:00-08:00' },
  berlin: { location: 'Berlin', temperatureC: 3, conditions: 'overcast, light rain', observedAt: '2026-11-30T18:00:00+01:00' },
  tokyo: { location: 'Tokyo', temperatureC: 12, conditions: 'clear', observedAt: '2026-12-01T02:00:00+09:00' },
};

/** @type {import('@aiu/server').ServerToolsOption} */
export const exampleTools = {
  weather: {
    description: 'The current weather in a city: temperature in °C and conditions.',
    inputSchema: {
      type: 'object',
      properties: { location: { type: 'string', description: 'A city name, e.g. "Berlin"' } },
      required: ['location'],
      additionalProperties: false,
    },
    // The page shows Allow / Deny before it runs.
    needsApproval: true,
    execute: ({ location }) => RECORDED[String(location).toLowerCase()] ?? { location, error: 'No recorded weather for this city (the example knows San Francisco, Berlin and Tokyo).' },
  },
};
