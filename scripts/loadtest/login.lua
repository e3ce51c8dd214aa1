-- wrk script: a burst of correct sign-ins (each one an Argon2id hash).
request = function()
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
    string.format('{"email":"%s","password":"%s"}', os.getenv("LOGIN_EMAIL"), os.getenv("LOGIN_PASSWORD")))
end
