export { startFakeUpstream, type FakeUpstream, type FakeUpstreamBehaviour, type RecordedRequest, type WireFormat } from './fakeUpstream';
export { FIXTURES_DIR, loadFixture, listFixtures, type Fixture } from './fixtures';
export { textStreamAsToolCall } from './textStreamAsToolCall';
export { aiuHandlers, sseEvent, emptyUsageReport, EMPTY_STATS, usageStats, type AiuHandlersOptions, type MockChatReply, type MockChatRequest, type MockToolCall, type MockKeys } from './handlers';
