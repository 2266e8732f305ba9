/** The Redis the scale-out tests use (each on channels or keys of its own): TEST_REDIS_URL, or the local service. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
