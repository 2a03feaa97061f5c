-- wrk script: every request presents the next token of TOKENS_FILE (one per line), and the status
-- counts are printed at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
  i = math.random(#tokens); counts = {}
end
function request()
  i = i % #tokens + 1
  return wrk.format("GET", "/scim/v2/ServiceProviderConfig", { ["Authorization"] = "Bearer " .. tokens[i] })
end
function response(status) counts[status] = (counts[status] or 0) + 1 end
function done()
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for s, n in pairs(c) do total[s] = (total[s] or 0) + n end
  end
  for s, n in pairs(total) do io.write(string.format("status %d: %d\n", s, n)) end
end
