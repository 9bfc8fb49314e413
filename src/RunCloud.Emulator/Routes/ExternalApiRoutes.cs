using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>
    /// DNS integrations, RunCloud's "3rd-party API keys" (settings/externalapi): what a DNS-01 order names as externalApi.
    /// Fields as RunCloud's 3rd-party API key reference: label, service (cloudflare, linode, digitalocean; vultr in v3),
    /// username (required for cloudflare), secret; answers {id, label, username, secret, service (display name), created_at}.
    /// </summary>
    public sealed partial class RunCloudEmulator
    {
        private static Route[] ExternalApiRoutes => new[]
        {
            new Route("settings/externalapi", "GET", ListExternalApis),
            new Route("settings/externalapi", "POST", AddExternalApi),
            new Route("settings/externalapi/{api}", "GET", GetExternalApi),
            new Route("settings/externalapi/{api}", "PATCH", PatchExternalApi),
            new Route("settings/externalapi/{api}", "DELETE", DeleteExternalApi),
        };

        internal static JObject ExternalApiJson(ExternalApiRecord x) => new JObject
        {
            ["id"] = x.Id, ["label"] = x.Label, ["username"] = x.Username, ["secret"] = x.Secret,
            ["service"] = EmulatorState.ServiceDisplayName(x.Service), ["created_at"] = Ts(x.CreatedAt),
        };

        private static bool FindExternalApi(Call c, out ExternalApiRecord x, out ApiResult? error)
        {
            x = c.Emu.State.FindExternalApi(c.Ids["api"])!;
            error = x == null ? c.Emu.NotFound(Model.ExternalApi, c.Ids["api"]) : null;
            return error == null;
        }

        private static ApiResult ListExternalApis(Call c) =>
            Paginate(c, c.Emu.State.ExternalApisLocked, x => x.Label, ExternalApiJson);

        private static ApiResult GetExternalApi(Call c) =>
            FindExternalApi(c, out var x, out var e) ? Ok(ExternalApiJson(x)) : e!;

        /// <summary>A string field: absent = null; present but not a string = an error.</summary>
        private static string? OptionalString(JObject b, string field, List<(string, string)> errors)
        {
            if (!Present(b, field)) return null;
            if (b[field]!.Type != JTokenType.String) { errors.Add((field, $"The {field} must be a string.")); return null; }
            return (string?)b[field];
        }

        private static ApiResult AddExternalApi(Call c)
        {
            var b = c.Body;
            var errors = new List<(string, string)>();
            var label = OptionalString(b, "label", errors);
            if (label == null && !errors.Any(x => x.Item1 == "label")) errors.Add(("label", "The label field is required."));
            string? service = null;
            if (!Present(b, "service")) errors.Add(("service", "The service field is required."));
            else service = OneOf(b, "service", EmulatorState.ExternalApiServices.ToArray(), errors, null);
            var username = OptionalString(b, "username", errors);
            if (service == "cloudflare" && username == null && !errors.Any(x => x.Item1 == "username"))
                errors.Add(("username", "The username field is required when service is cloudflare."));
            var secret = OptionalString(b, "secret", errors);
            if (secret == null && !errors.Any(x => x.Item1 == "secret")) errors.Add(("secret", "The secret field is required."));
            if (errors.Count > 0) return Invalid(errors.ToArray());
            return Ok(ExternalApiJson(c.Emu.State.AddExternalApiLocked(label!, service!, secret!, username)));
        }

        private static ApiResult PatchExternalApi(Call c)
        {
            if (!FindExternalApi(c, out var x, out var e)) return e!;
            var errors = new List<(string, string)>();
            var label = OptionalString(c.Body, "label", errors);
            var username = OptionalString(c.Body, "username", errors);
            var secret = OptionalString(c.Body, "secret", errors);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (label != null) x.Label = label;
            if (username != null) x.Username = username;
            if (secret != null) x.Secret = secret;
            return Ok(ExternalApiJson(x));
        }

        private static ApiResult DeleteExternalApi(Call c)
        {
            if (!FindExternalApi(c, out var x, out var e)) return e!;
            c.Emu.State.ExternalApisLocked.Remove(x);
            return Ok(ExternalApiJson(x));
        }
    }
}
