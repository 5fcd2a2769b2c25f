-- Shared by every script (prepended). ARGV[1] is the key prefix P. Layout (docs/cluster.md):
--   P:nodes                 zset  node -> heartbeat deadline (ms, Redis clock)
--   P:n:<node>:rooms        hash  room -> sockets, room|user -> sockets of that user, *all, *s:<salesman>
--   P:n:<node>:stats        hash  total, active, sent, received, c|<tenant>, s|<tenant>, r|<tenant>
--   P:n:<node>:tenants      set   tenants with a socket on the node
--   P:n:<node>:salesmen     set   salesmen the node counts sockets for
--   P:t:<tenant>:sockets    hash  <node>|<sessionId> -> socket JSON
--   P:t:<tenant>:online     set   salesmen online (grace included)
--   P:p:<salesman>          hash  t tenant, s online since, n:<node> sockets, off left at (grace running)
--   P:offline               zset  salesman -> when the grace ends
--   P:slots                 hash  id slot (0..255) -> node: the node bits of its location ids
local P = ARGV[1]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function live_nodes()
  return redis.call('ZRANGEBYSCORE', P .. ':nodes', '(' .. now_ms(), '+inf')
end

local function add(key, field, by)
  local n = redis.call('HINCRBY', key, field, by)
  if n <= 0 then
    redis.call('HDEL', key, field)
  end
  return n
end

local function presence_total(key)
  local total = 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, 2) == 'n:' then
      total = total + tonumber(all[i + 1])
    end
  end
  return total
end

-- the salesman has no socket left anywhere: offline once the grace ends at due, unless a socket comes back
local function pend_offline(key, salesman, at, due)
  if redis.call('HEXISTS', key, 's') == 1 and redis.call('HEXISTS', key, 'off') == 0 then
    redis.call('HSET', key, 'off', at)
    redis.call('ZADD', P .. ':offline', due, salesman)
  end
end
