-- ARGV: P, this node. For GET /stats/tenants in one round trip: for each tenant with a socket on another live node,
-- { tenant, sockets there, 'salesman,salesman,...' } (ids never hold a comma).
local self = ARGV[2]
local out = {}
for _, n in ipairs(live_nodes()) do
  if n ~= self then
    local prefix = n .. '|'
    for _, t in ipairs(redis.call('SMEMBERS', P .. ':n:' .. n .. ':tenants')) do
      local all = redis.call('HGETALL', P .. ':t:' .. t .. ':sockets')
      local count, salesmen = 0, {}
      for i = 1, #all, 2 do
        if string.sub(all[i], 1, #prefix) == prefix then
          count = count + 1
          local sm = cjson.decode(all[i + 1]).salesmanId
          if type(sm) == 'string' then salesmen[#salesmen + 1] = sm end
        end
      end
      if count > 0 then
        out[#out + 1] = t
        out[#out + 1] = tostring(count)
        out[#out + 1] = table.concat(salesmen, ',')
      end
    end
  end
end
return out
