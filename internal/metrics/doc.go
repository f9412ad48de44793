// Package metrics exposes openacr's Prometheus metrics on a registry of its
// own (never the process-global one, so that several servers can live in
// one process):
//
//	openacr_http_requests_total{api,method,code}          counter
//	openacr_http_request_duration_seconds{api,method}     histogram
//	openacr_auth_decisions_total{api,result,class}        counter
//	openacr_password_expiry_seconds{registry,token,password}  gauge
//	openacr_password_expiry_series_dropped                gauge
//
// plus the Go runtime and process collectors. api is "management", "token"
// (/oauth2/token and the JWKS), "registry" (/v2/) or "other"; result and
// class are package guard's vocabulary. Every label has a small fixed set
// of values except the expiry gauge's, which has one series per password
// that expires (never-expiring ones have none), computed at scrape time
// from an in-memory index, never from the database. To bound what one
// scrape costs and the series Prometheus must keep, only the MaxSeries
// passwords closest to expiry are reported; how many were left out is
// openacr_password_expiry_series_dropped.
//
// It imports guard and the Prometheus client; the server wires it to the
// access.Expiries index.
package metrics
