-- POST /v1/projects with a unique name and Idempotency-Key per request
-- (each wrk thread gets its own number in setup, so names never collide).
local template, n, prefix
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  local f = io.open(os.getenv("BODY"), "rb"); template = f:read("*a"); f:close()
  n = 0; prefix = os.getenv("RUN") .. "-" .. tostring(tid)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  local name = "bench-" .. prefix .. "-" .. n
  wrk.headers["Idempotency-Key"] = name
  return wrk.format("POST", "/v1/projects", nil, (template:gsub("__NAME__", name)))
end
