-- ARGV: P, node. Forgets the node's sockets (not its presence counts), before it registers them again.
local node = ARGV[2]
local prefix = node .. '|'
for _, t in ipairs(redis.call('SMEMBERS', P .. ':n:' .. node .. ':tenants')) do
  local tk = P .. ':t:' .. t .. ':sockets'
  for _, f in ipairs(redis.call('HKEYS', tk)) do
    if string.sub(f, 1, #prefix) == prefix then
      redis.call('HDEL', tk, f)
      redis.call('DEL', P .. ':j:' .. f)
    end
  end
end
redis.call('DEL', P .. ':n:' .. node .. ':tenants', P .. ':n:' .. node .. ':rooms')
return 1
