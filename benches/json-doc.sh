# The ~800-byte JSON document of the JSON benchmarks (sourced by json.sh
# and instr.sh): nested objects, arrays, numbers, strings.
JSON_DOC='{"id":12345,"name":"Oxidis benchmark document","active":true,"score":98.625,"tags":["alpha","beta","gamma","delta","epsilon"],'
JSON_DOC+='"owner":{"first":"Ada","last":"Lovelace","email":"ada@example.com","roles":["admin","dev"],"address":{"street":"12 Analytical Engine Way","city":"London","zip":"NW1 2DB","geo":[51.5237,-0.1585]}},'
JSON_DOC+='"items":[{"sku":"A-1","qty":2,"price":9.99,"note":null},{"sku":"B-22","qty":1,"price":149.5,"note":"gift wrap"},{"sku":"C-333","qty":12,"price":0.35,"note":"bulk"}],'
JSON_DOC+='"history":[1699999999,1700000000,1700000360,1700000720],"meta":{"created":"2026-12-07T19:00:00Z","updated":"2026-12-07T20:00:00Z","version":7,"flags":{"beta":false,"archived":false}},'
JSON_DOC+='"description":"A document of about eight hundred bytes used to compare JSON.GET and GET, JSON.SET and SET."}'
