-- wrk script: POST the file named by BODY to /v1/score, with the bearer
-- token in TOKEN when set (the server asks for one since the edge issue).
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local t = os.getenv("TOKEN")
if t and t ~= "" then wrk.headers["Authorization"] = "Bearer " .. t end
