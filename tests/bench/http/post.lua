-- wrk script: POST the file named by the BODY environment variable as JSON.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
-- POST /v1/score needs a token (issue 17): TOKEN, when set.
local t = os.getenv("TOKEN")
if t and t ~= "" then wrk.headers["Authorization"] = "Bearer " .. t end
