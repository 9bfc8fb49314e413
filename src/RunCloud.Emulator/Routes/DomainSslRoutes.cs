using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>Per-domain certificates (advanced SSL mode).</summary>
    public sealed partial class RunCloudEmulator
    {
        // ---------- per-domain SSL (advanced mode); the documented answer of the writes is {} ----------

        private static ApiResult GetDomainSsl(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            return d.Ssl == null || !w.AdvancedSsl ? c.Emu.NoSsl() : Ok(SslJson(d.Ssl));
        }

        private static ApiResult InstallDomainSsl(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            var bad = ReadSslInput(c.Body, c.Emu.State, out var input);
            if (bad != null) return bad;
            var errors = new List<(string, string)>();
            OptionalBool(c.Body, "advancedSSL", errors);
            OptionalBool(c.Body, "autoSSL", errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (!w.AdvancedSsl) return Error(422, "Advanced SSL is not enabled for this web application.");
            // A second install over a domain's certificate: refused by default (EmulatorOptions.PerDomainReinstall), or a new
            // order that replaces it.
            if (d.Ssl != null && c.Emu._options.PerDomainReinstall == PerDomainReinstall.Refuse)
                return Error(422, "SSL is already installed on this domain.");
            var names = d.HostNames().ToList();
            if (input.Provider == "letsencrypt" && Refused(c, names, input.AuthorizationMethod, input.ExternalApi) is ApiResult refused) return refused;
            var ssl = NewSsl(c, input);
            ssl.CoveredDomains = names;
            d.Ssl = ssl;
            if (input.Provider == "letsencrypt") c.Emu.State.RecordIssuanceLocked(ssl, names);
            return Ok(new JObject());
        }

        private static bool FindDomainSsl(Call c, out WebAppRecord w, out DomainRecord d, out ApiResult? e)
        {
            if (!FindDomain(c, out w, out d, out e)) return false;
            if (d.Ssl == null || d.Ssl.Id != c.Ssl || !w.AdvancedSsl) { e = c.Emu.NotFound(Model.SslCertificate, c.Ssl); return false; }
            return true;
        }

        private static ApiResult RedeployDomainSsl(Call c)
        {
            if (!FindDomainSsl(c, out _, out var d, out var e)) return e!;
            if (d.Ssl!.Method != "letsencrypt") return Error(422, "Only Let's Encrypt certificates can be redeployed.");
            var names = d.HostNames().ToList();
            if (Refused(c, names, d.Ssl.AuthorizationMethod, d.Ssl.ApiId) is ApiResult refused) return refused;
            c.Emu.State.RedeployLocked(d.Ssl, names);
            c.Emu.State.RecordIssuanceLocked(d.Ssl, names);
            return Ok(new JObject());
        }

        private static ApiResult PatchDomainSsl(Call c)
        {
            if (!FindDomainSsl(c, out _, out var d, out var e)) return e!;
            // RunCloud's v3 reference shows this call with {"advancedSSL":true,"autoSSL":false} and the answer {}: both are
            // booleans when present; the settings fields change in place (no issuance).
            var errors = new List<(string, string)>();
            OptionalBool(c.Body, "advancedSSL", errors);
            OptionalBool(c.Body, "autoSSL", errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            return PatchSslFields(c.Body, d.Ssl!) ?? Ok(new JObject());
        }

        private static ApiResult DeleteDomainSsl(Call c)
        {
            if (!FindDomainSsl(c, out _, out var d, out var e)) return e!;
            d.Ssl = null;
            return Ok(new JObject());
        }
    }
}
