/**
 * The `limiter` every worker carries. It never binds on its own: it is there so a manual rate-limit pause (the
 * limiter key set to MAX_SAFE_INTEGER with an expiry) holds every worker. BullMQ also counts each fetch in that
 * key with a `duration` expiry, so a key with a TTL is a pause only when its count reaches `max`.
 */
export const WORKER_LIMITER = { max: 100_000, duration: 1000 } as const;
