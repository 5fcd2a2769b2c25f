-- ARGV: P, node, grace (ms), now, then (salesman, tenant, sockets) for every salesman with a socket on the node.
-- Sets the node's counts to what it holds (after Redis came back, or after the node was presumed dead); answers
-- (salesman, tenant) pairs that came online by it.
local node, grace, now = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local setk = P .. ':n:' .. node .. ':salesmen'
local held = {}
for i = 5, #ARGV, 3 do held[ARGV[i]] = true end
for _, s in ipairs(redis.call('SMEMBERS', setk)) do
  if not held[s] then
    local key = P .. ':p:' .. s
    redis.call('HDEL', key, 'n:' .. node)
    redis.call('SREM', setk, s)
    if presence_total(key) == 0 then pend_offline(key, s, now, now_ms() + grace) end
  end
end
local online = {}
for i = 5, #ARGV, 3 do
  local s, t, c = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = P .. ':p:' .. s
  redis.call('HSET', key, 'n:' .. node, c)
  redis.call('SADD', setk, s)
  if redis.call('HEXISTS', key, 's') == 0 then
    redis.call('HSET', key, 't', t, 's', now)
    redis.call('SADD', P .. ':t:' .. t .. ':online', s)
    online[#online + 1] = s
    online[#online + 1] = t
  elseif redis.call('HDEL', key, 'off') == 1 then
    redis.call('ZREM', P .. ':offline', s)
  end
end
return online
