/**
 * The Lua script that counts, atomically, the invocations in a row that found an instance
 * unreachable (run with EVAL on the stream's Redis, in the stream's hash slot). Concurrent
 * invocations each count once; the time rule then keeps a burst of them from looking like minutes.
 *
 * KEYS: the `unreachable` hash (field: instance id, value `<first ms>:<count>:<last ms>`).
 * ARGV: now, invocations needed, ms needed, TTL ms, count strikes (`1`/`0`), number of suspects,
 * the suspects' ids, then the ids that answered (their count restarts: the field is deleted).
 *
 * Reply: `{id, first, count, ...}` for each suspect that is now due for deregistration. The hash
 * expires after TTL without a strike; past 1000 fields, the ones not struck within TTL are dropped
 * (instances that went away without being counted again).
 */
export const STALE_REGISTRATION_SCRIPT = `
local now = tonumber(ARGV[1])
local needed = tonumber(ARGV[2])
local needed_ms = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local strike = ARGV[5] == '1'
local suspects = tonumber(ARGV[6])
local due = {}
if strike then
  for i = 7, 6 + suspects do
    local id = ARGV[i]
    local first, count = now, 0
    local raw = redis.call('HGET', KEYS[1], id)
    if raw then
      local f, c = string.match(raw, '^(%d+):(%d+):')
      if f then first, count = tonumber(f), tonumber(c) end
    end
    count = count + 1
    redis.call('HSET', KEYS[1], id, string.format('%d:%d:%d', first, count, now))
    if count >= needed and now - first >= needed_ms then
      table.insert(due, id)
      table.insert(due, string.format('%d', first))
      table.insert(due, tostring(count))
    end
  end
end
for i = 7 + suspects, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
if strike and suspects > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  if redis.call('HLEN', KEYS[1]) > 1000 then
    local all = redis.call('HGETALL', KEYS[1])
    for i = 1, #all, 2 do
      local last = tonumber(string.match(all[i + 1], ':(%d+)$') or '0')
      if now - last > ttl then redis.call('HDEL', KEYS[1], all[i]) end
    end
  end
end
return due
`;
