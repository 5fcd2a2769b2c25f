-- ARGV: P, this node, tenant. The socket JSON of the tenant's sockets on the other live nodes.
local live = {}
for _, n in ipairs(live_nodes()) do
  if n ~= ARGV[2] then live[n] = true end
end
local out = {}
local all = redis.call('HGETALL', P .. ':t:' .. ARGV[3] .. ':sockets')
for i = 1, #all, 2 do
  local node = string.match(all[i], '^(.-)|')
  if node and live[node] then
    local joined = redis.call('SMEMBERS', P .. ':j:' .. all[i])
    if #joined == 0 then
      out[#out + 1] = all[i + 1]
    else -- rooms joined one by one since the entry was written
      local socket = cjson.decode(all[i + 1])
      for _, r in ipairs(joined) do socket.rooms[#socket.rooms + 1] = r end
      out[#out + 1] = cjson.encode(socket)
    end
  end
end
return out
