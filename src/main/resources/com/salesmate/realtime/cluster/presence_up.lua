-- ARGV: P, node, salesman, tenant, at. 1 when the salesman came online (no socket anywhere, no grace running).
local node, s, t, at = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = P .. ':p:' .. s
redis.call('HINCRBY', key, 'n:' .. node, 1)
redis.call('SADD', P .. ':n:' .. node .. ':salesmen', s)
if redis.call('HEXISTS', key, 's') == 0 then
  redis.call('HSET', key, 't', t, 's', at)
  redis.call('SADD', P .. ':t:' .. t .. ':online', s)
  return 1
end
if redis.call('HDEL', key, 'off') == 1 then
  redis.call('ZREM', P .. ':offline', s)
end
return 0
