-- ARGV: P, tenant. (salesman, online since, sockets) of every salesman of the tenant counted online.
local out = {}
for _, s in ipairs(redis.call('SMEMBERS', P .. ':t:' .. ARGV[2] .. ':online')) do
  local key = P .. ':p:' .. s
  local since = redis.call('HGET', key, 's')
  if since then
    out[#out + 1] = s
    out[#out + 1] = since
    out[#out + 1] = presence_total(key)
  end
end
return out
