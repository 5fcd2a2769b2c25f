-- ARGV: P, node, salesman, at, grace (ms). The grace starts when no node holds a socket of the salesman.
local node, s, at, grace = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local key = P .. ':p:' .. s
local n = redis.call('HINCRBY', key, 'n:' .. node, -1)
if n <= 0 then
  redis.call('HDEL', key, 'n:' .. node)
  redis.call('SREM', P .. ':n:' .. node .. ':salesmen', s)
end
if presence_total(key) == 0 then
  pend_offline(key, s, at, now_ms() + grace)
end
return 0
