using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>A web app's certificate (basic mode), the SSL mode switch, and the Let's Encrypt order every issuance is.</summary>
    public sealed partial class RunCloudEmulator
    {
        private static Route[] SslRoutes => new[]
        {
            new Route(App + "/domains/{d}/ssl", "GET", GetDomainSsl),
            new Route(App + "/domains/{d}/ssl", "POST", InstallDomainSsl),
            new Route(App + "/domains/{d}/ssl/{ssl}", "PUT", RedeployDomainSsl),
            new Route(App + "/domains/{d}/ssl/{ssl}", "PATCH", PatchDomainSsl),
            new Route(App + "/domains/{d}/ssl/{ssl}", "DELETE", DeleteDomainSsl),
            new Route(App + "/ssl", "GET", GetSsl),
            new Route(App + "/ssl", "POST", InstallSsl),
            new Route(App + "/ssl/advanced", "GET", GetSslMode),
            new Route(App + "/ssl/advanced", "POST", SetSslMode),
            new Route(App + "/ssl/{ssl}", "PUT", RedeploySsl),
            new Route(App + "/ssl/{ssl}", "PATCH", PatchSsl),
            new Route(App + "/ssl/{ssl}", "DELETE", DeleteSsl),
        };

        // ---------- SSL ----------

        private sealed class SslInput
        {
            public string Provider = "letsencrypt";
            public bool EnableHttp, EnableHsts, Staging;
            public string AuthorizationMethod = "http-01";
            public long? ExternalApi;
            public string? PrivateKey, Certificate;
            public int? ProtocolId;
        }

        private static ApiResult? ReadSslInput(JObject b, EmulatorState state, out SslInput input)
        {
            input = new SslInput();
            var errors = new List<(string, string)>();
            if (!Present(b, "provider")) errors.Add(("provider", "The provider field is required."));
            else input.Provider = OneOf(b, "provider", new[] { "letsencrypt", "custom" }, errors, "letsencrypt")!;
            input.EnableHttp = OptionalBool(b, "enableHttp", errors) ?? false;
            input.EnableHsts = OptionalBool(b, "enableHsts", errors) ?? false;
            if (input.Provider == "letsencrypt")
            {
                input.AuthorizationMethod = OneOf(b, "authorizationMethod", new[] { "http-01", "dns-01" }, errors, "http-01")!;
                input.Staging = OneOf(b, "environment", new[] { "live", "staging" }, errors, "live") == "staging";
                // externalApi is an integer (the id of a DNS-provider integration): nullable|integer, as in RunCloud's v3 SDK.
                // Laravel's integer rule also takes a string of digits (what a form body carries); any other string is refused.
                if (Present(b, "externalApi"))
                {
                    if (LaravelInput.TryInteger(b["externalApi"], out var apiId)) input.ExternalApi = apiId;
                    else errors.Add(("externalApi", "The externalApi must be an integer."));
                }
                if (input.AuthorizationMethod == "dns-01" && input.ExternalApi == null && !errors.Any(x => x.Item1 == "externalApi"))
                    errors.Add(("externalApi", "The externalApi field is required when authorizationMethod is dns-01."));
                // DNS-01 writes the _acme-challenge records through a DNS integration: it must be one of the account's
                // 3rd-party API keys (settings/externalapi), as Laravel's exists rule checks.
                else if (input.AuthorizationMethod == "dns-01" && input.ExternalApi is long api && state.FindExternalApi(api) == null)
                    errors.Add(("externalApi", "The selected external api is invalid."));
            }
            else
            {
                input.AuthorizationMethod = "";
                foreach (var f in new[] { "privateKey", "certificate" })
                    if (!Present(b, f) || b[f]!.Type != JTokenType.String || ((string?)b[f])!.Trim().Length == 0)
                        errors.Add((f, $"The {f} field is required when provider is custom."));
                input.PrivateKey = (string?)b["privateKey"];
                input.Certificate = (string?)b["certificate"];
            }
            input.ProtocolId = ReadProtocol(b, errors);
            return errors.Count > 0 ? Invalid(errors.ToArray()) : null;
        }

        private static int? ReadProtocol(JObject b, List<(string, string)> errors)
        {
            if (!Present(b, "ssl_protocol_id")) return null;
            if (LaravelInput.TryInteger(b["ssl_protocol_id"], out var id) && EmulatorState.SslProtocols.Any(p => p.Id == id)) return (int)id;
            errors.Add(("ssl_protocol_id", "The selected ssl protocol id is invalid."));
            return null;
        }

        private static SslRecord NewSsl(Call c, SslInput i)
        {
            var s = c.Emu.State.NewSslLocked(i.Provider, i.EnableHttp, i.EnableHsts, i.AuthorizationMethod, i.Staging, i.ExternalApi, i.PrivateKey, i.Certificate);
            if (i.ProtocolId.HasValue) s.SslProtocolId = i.ProtocolId.Value;
            return s;
        }

        /// <summary>Let's Encrypt's verdict on an order for these names (see EmulatorState.CheckOrderLocked): a 422, or null to issue.</summary>
        private static ApiResult? Refused(Call c, IList<string> names, string authorizationMethod, long? externalApi = null)
        {
            var server = c.Emu.State.FindServer(c.S)!;
            var failure = c.Emu.State.CheckOrderLocked(server, names, authorizationMethod, externalApi);
            if (failure == null) return null;
            if (failure.Errors.Count == 0) return Error(422, failure.Message);
            var map = new JObject();
            foreach (var (field, message) in failure.Errors)
            {
                if (!(map[field] is JArray arr)) map[field] = arr = new JArray();
                arr.Add(message);
            }
            return new ApiResult(422, new JObject { ["message"] = failure.Message, ["errors"] = map });
        }

        private static ApiResult GetSsl(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            return w.Ssl == null || w.AdvancedSsl ? c.Emu.NoSsl() : Ok(SslJson(w.Ssl));
        }

        private static ApiResult InstallSsl(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            var bad = ReadSslInput(c.Body, c.Emu.State, out var input);
            if (bad != null) return bad;
            if (w.AdvancedSsl) return Error(422, "This web application is using advanced SSL. Install SSL on each domain instead.");
            if (w.Ssl != null) return Error(422, "SSL is already installed on this web application.");
            if (w.Domains.Count == 0) return Error(422, "This web application has no domain to issue a certificate for.");
            var names = w.Domains.SelectMany(d => d.HostNames()).ToList();
            if (input.Provider == "letsencrypt" && Refused(c, names, input.AuthorizationMethod, input.ExternalApi) is ApiResult refused) return refused;
            var ssl = NewSsl(c, input);
            ssl.CoveredDomains = names;
            w.Ssl = ssl;
            if (input.Provider == "letsencrypt") c.Emu.State.RecordIssuanceLocked(ssl, names);
            return Ok(SslJson(ssl));
        }

        private static bool FindAppSsl(Call c, out WebAppRecord w, out ApiResult? e)
        {
            if (!FindApp(c, out w, out e)) return false;
            if (w.Ssl == null || w.Ssl.Id != c.Ssl || w.AdvancedSsl) { e = c.Emu.NotFound(Model.SslCertificate, c.Ssl); return false; }
            return true;
        }

        private static ApiResult RedeploySsl(Call c)
        {
            if (!FindAppSsl(c, out var w, out var e)) return e!;
            if (w.Ssl!.Method != "letsencrypt") return Error(422, "Only Let's Encrypt certificates can be redeployed.");
            var names = w.Domains.SelectMany(d => d.HostNames()).ToList();
            // The order fails as a whole: the certificate (and what it covers) stays as it was.
            if (Refused(c, names, w.Ssl.AuthorizationMethod, w.Ssl.ApiId) is ApiResult refused) return refused;
            c.Emu.State.RedeployLocked(w.Ssl, names);
            c.Emu.State.RecordIssuanceLocked(w.Ssl, names);
            return Ok(SslJson(w.Ssl));
        }

        private static ApiResult? PatchSslFields(JObject b, SslRecord s)
        {
            var errors = new List<(string, string)>();
            var http = OptionalBool(b, "enableHttp", errors);
            var hsts = OptionalBool(b, "enableHsts", errors);
            var proto = ReadProtocol(b, errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (http.HasValue) s.EnableHttp = http.Value;
            if (hsts.HasValue) s.EnableHsts = hsts.Value;
            if (proto.HasValue) s.SslProtocolId = proto.Value;
            return null;
        }

        private static ApiResult PatchSsl(Call c)
        {
            if (!FindAppSsl(c, out var w, out var e)) return e!;
            return PatchSslFields(c.Body, w.Ssl!) ?? Ok(SslJson(w.Ssl!));
        }

        private static ApiResult DeleteSsl(Call c)
        {
            if (!FindAppSsl(c, out var w, out var e)) return e!;
            var old = w.Ssl!;
            w.Ssl = null;
            return Ok(SslJson(old));
        }

        private static JObject ModeJson(WebAppRecord w) => new JObject { ["advancedSSL"] = w.AdvancedSsl, ["autoSSL"] = w.AutoSsl };

        private static ApiResult GetSslMode(Call c) =>
            FindApp(c, out var w, out var e) ? Ok(ModeJson(w)) : e!;

        private static ApiResult SetSslMode(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            var errors = new List<(string, string)>();
            bool? adv = null;
            if (!Present(c.Body, "advancedSSL")) errors.Add(("advancedSSL", "The advancedSSL field is required."));
            else adv = OptionalBool(c.Body, "advancedSSL", errors);
            var auto = OptionalBool(c.Body, "autoSSL", errors) ?? false;
            if (errors.Count > 0) return Invalid(errors.ToArray());
            // Whether a switch with certificates installed is refused or uninstalls them is not documented: a switch
            // (EmulatorOptions.SslModeSwitch) with the strict answer by default, so a client never loses a certificate silently.
            bool inPlace = c.Emu._options.SslModeSwitch == SslModeSwitch.InPlace;
            if (adv == true && !w.AdvancedSsl && w.Ssl != null)
            {
                if (!inPlace) return Error(422, "Uninstall the web application's SSL before switching to advanced SSL.");
                w.Ssl = null;
            }
            if (adv == false && w.AdvancedSsl && w.Domains.Any(d => d.Ssl != null))
            {
                if (!inPlace) return Error(422, "Uninstall every domain's SSL before switching back to basic SSL.");
                foreach (var d in w.Domains) d.Ssl = null;
            }
            w.AdvancedSsl = adv!.Value;
            w.AutoSsl = w.AdvancedSsl && auto;
            return Ok(ModeJson(w));
        }
    }
}
