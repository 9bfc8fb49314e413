using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>A web app's domains: list, add, read, delete, and the flags (meta).</summary>
    public sealed partial class RunCloudEmulator
    {
        private static Route[] DomainRoutes => new[]
        {
            new Route(App + "/domains", "GET", ListDomains),
            new Route(App + "/domains", "POST", AddDomain),
            new Route(App + "/domains/{d}", "GET", GetDomain),
            new Route(App + "/domains/{d}", "DELETE", DeleteDomain),
            new Route(App + "/domains/{d}/meta", "PATCH", PatchDomainMeta),
            new Route(App + "/domains/{d}/dns", "GET", GetDomainDns),
        };

        /// <summary>
        /// RunCloud's DNS instructions for a domain: the records its names need to reach the server. No public source shows
        /// this answer's shape; it is chosen (see the README's rule table): {"domain": name, "records": [{"type":"A",
        /// "name": host, "content": the server's IP}]} with one A record per host name the domain serves (the name, its
        /// www. variant when www is on; a wildcard domain's "*." name as is).
        /// </summary>
        private static ApiResult GetDomainDns(Call c)
        {
            if (!FindDomain(c, out _, out var d, out var e)) return e!;
            var ip = c.Emu.State.FindServer(c.S)!.IpAddress;
            var records = new JArray(d.HostNames().Select(h => new JObject { ["type"] = "A", ["name"] = h, ["content"] = ip }));
            return Ok(new JObject { ["domain"] = d.Name, ["records"] = records });
        }

        private static ApiResult ListDomains(Call c) =>
            FindApp(c, out var w, out var e) ? Paginate(c, w.Domains, d => d.Name, DomainJson) : e!;

        private static ApiResult GetDomain(Call c) =>
            FindDomain(c, out _, out var d, out var e) ? Ok(DomainJson(d)) : e!;        private static readonly string[] Redirections = { "none", "www", "non-www" };
        private static readonly string[] DomainTypes = { "alias", "primary", "redirect" };

        private static ApiResult AddDomain(Call c)
        {
            if (!FindApp(c, out var w, out var e)) return e!;
            var server = c.Emu.State.FindServer(c.S)!;
            var limit = c.Emu._options.DomainLimit;
            // Plan limit first (authorisation runs before validation in Laravel).
            if (limit > 0 && w.Domains.Count >= limit)
                return Error(403, $"Your plan allows at most {limit} domains per web application. Upgrade your plan to add more domains.");

            var b = c.Body;
            var errors = new List<(string, string)>();
            string? name = null;
            bool wildcard = false;
            if (!Present(b, "name") || (b["name"]!.Type == JTokenType.String && ((string?)b["name"])!.Trim().Length == 0))
                errors.Add(("name", "The name field is required."));
            else if (b["name"]!.Type != JTokenType.String)
                errors.Add(("name", "The name must be a string."));
            else
            {
                name = ((string?)b["name"])!.Trim().ToLowerInvariant();
                if (!DomainNameRules.IsValid(name, out wildcard)) errors.Add(("name", "The name format is invalid."));
                else if (EmulatorState.FindDomainOnServer(server, name) != null) errors.Add(("name", "The name has already been taken."));
            }
            var www = OptionalBool(b, "www", errors) ?? false;
            var redirection = OneOf(b, "redirection", Redirections, errors, "none")!;
            var type = OneOf(b, "type", DomainTypes, errors, "alias")!;
            if (errors.Count > 0) return Invalid(errors.ToArray());
            if (www && !name!.StartsWith("www.", StringComparison.Ordinal) && !wildcard && EmulatorState.FindDomainOnServer(server, "www." + name) != null)
                return Invalid(("www", $"The www. variant www.{name} is already a domain on this server."));

            var d = c.Emu.State.AddDomainLocked(w, name!, www, redirection, type, wildcard);
            return Ok(DomainJson(d));
        }

        /// <summary>The www. name a domain would add when www is turned on, if another domain on the server already has it.</summary>
        private static string? WwwTakenBy(Call c, DomainRecord d)
        {
            if (d.Name.StartsWith("www.", StringComparison.Ordinal) || d.Wildcard) return null;
            var server = c.Emu.State.FindServer(c.S)!;
            var other = EmulatorState.FindDomainOnServer(server, "www." + d.Name);
            return other != null && other != d ? other.Name : null;
        }

        private static ApiResult DeleteDomain(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            if (d.Type == "primary")
                return Invalid(("domain", "The primary domain cannot be deleted. Make another domain primary first."));
            w.Domains.Remove(d);
            return Ok(DomainJson(d));
        }

        private static ApiResult PatchDomainMeta(Call c)
        {
            if (!FindDomain(c, out var w, out var d, out var e)) return e!;
            var errors = new List<(string, string)>();
            var www = OptionalBool(c.Body, "www", errors);
            var redirection = OneOf(c.Body, "redirection", Redirections, errors, null);
            var type = OneOf(c.Body, "type", DomainTypes, errors, null);
            if (errors.Count > 0) return Invalid(errors.ToArray());
            // A web app always has a primary domain (as for a delete): another one must be made primary first.
            if (d.Type == "primary" && type != null && type != "primary")
                return Invalid(("type", "The primary domain cannot be changed to " + type + ". Make another domain primary first."));
            // nginx cannot serve a name twice: www. on a domain whose www. name is another domain on the server is refused.
            if (www == true && !d.Www && WwwTakenBy(c, d) is string taken)
                return Invalid(("www", $"The www. variant {taken} is already a domain on this server."));
            if (type == "primary")
                foreach (var other in w.Domains.Where(x => x.Type == "primary" && x != d)) other.Type = "alias";
            if (type != null) d.Type = type;
            if (redirection != null) d.Redirection = redirection;
            if (www.HasValue) d.Www = www.Value;
            return Ok(new JObject { ["message"] = "Domain settings have been successfully updated." });
        }
    }
}
