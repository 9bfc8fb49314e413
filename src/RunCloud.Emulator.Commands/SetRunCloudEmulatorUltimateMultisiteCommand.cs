using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// Gives the emulator an Ultimate Multisite network to serve through UM's REST API on its own address
    /// (/wp-json/wu/v2/site and /wp-json/wu/v2/domain, HTTP Basic with UM's API key and secret), so a script reads the
    /// network as RunCloud.PowerShell's -UltimateMultisiteUri does, with no WordPress, database or PHP. Writes the address
    /// and the credential to read it with. -Clear forgets the network (the endpoint answers 404, as a site without UM).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "RunCloudEmulatorUltimateMultisite", SupportsShouldProcess = true, DefaultParameterSetName = NetworkSet,
        HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Set-RunCloudEmulatorUltimateMultisite.md")]
    [OutputType(typeof(UltimateMultisiteEndpoint))]
    public sealed class SetRunCloudEmulatorUltimateMultisiteCommand : PSCmdlet
    {
        private const string NetworkSet = "Network";
        private const string ClearSet = "Clear";

        /// <summary>
        /// The network's sites: host names (blog ids 1, 2, ... in order; the first is the main site), or objects with
        /// BlogId, Domain and optionally Path ('/'), SiteId (1: the network), Archived, Spam, Deleted.
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NetworkSet)]
        [ValidateNotNullOrEmpty]
        public object[] Site { get; set; } = Array.Empty<object>();

        /// <summary>
        /// UM's mapping rows: objects with Domain and BlogId, and optionally Id (1, 2, ... in order), Active ($true),
        /// Stage ('done'), Primary, Secure.
        /// </summary>
        [Parameter(Position = 1, ParameterSetName = NetworkSet)]
        [AllowEmptyCollection]
        public object[] Mapping { get; set; } = Array.Empty<object>();

        /// <summary>Page as UM up to 2.4.12 did (number and offset, no X-WP-Total headers) instead of 2.4.13+'s page and per_page.</summary>
        [Parameter(ParameterSetName = NetworkSet)]
        public SwitchParameter LegacyPaging { get; set; }

        /// <summary>Forget the network: /wp-json/wu/ answers 404 again.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClearSet)]
        public SwitchParameter Clear { get; set; }

        [Parameter]
        [ValidateNotNull]
        public RunCloudEmulator? Emulator { get; set; }

        protected override void EndProcessing()
        {
            RunCloudEmulator? e = Emulator ?? EmulatorSession.Latest;
            if (e == null)
            {
                WriteError(ErrorRecords.NotRunning());
                return;
            }

            if (Clear)
            {
                if (ShouldProcess(e.BaseUri + "wp-json/wu/v2/", "Forget the Ultimate Multisite network")) e.UltimateMultisite.Clear();
                return;
            }

            List<EmulatedUmSite> sites;
            List<EmulatedUmMapping> mappings;
            try
            {
                sites = Site.Select((s, i) => ToSite(s, i)).ToList();
                mappings = Mapping.Select((m, i) => ToMapping(m, i)).ToList();
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.InvalidUltimateMultisite(ex));
                return;
            }

            if (!ShouldProcess(e.BaseUri + "wp-json/wu/v2/", $"Serve an Ultimate Multisite network of {sites.Count} site(s) and {mappings.Count} mapping(s)")) return;
            try
            {
                e.UltimateMultisite.Set(sites, mappings);
                e.UltimateMultisite.LegacyPaging = LegacyPaging;
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.InvalidUltimateMultisite(ex));
                return;
            }

            var secret = new SecureString();
            foreach (char c in e.UltimateMultisite.ApiSecret) secret.AppendChar(c);
            secret.MakeReadOnly();
            WriteObject(new UltimateMultisiteEndpoint
            {
                Uri = e.BaseUri,
                Credential = new PSCredential(e.UltimateMultisite.ApiKey, secret),
                Sites = sites.Count,
                Mappings = mappings.Count,
                LegacyPaging = LegacyPaging,
            });
        }

        private static EmulatedUmSite ToSite(object value, int index)
        {
            object v = value is PSObject p ? p.BaseObject : value;
            if (v is string host) return new EmulatedUmSite { BlogId = index + 1, Domain = host };
            Func<string, object?> get = Getter(value, "-Site", index);
            return new EmulatedUmSite
            {
                BlogId = Long(get("BlogId"), "-Site", index, "BlogId") ?? index + 1,
                SiteId = Long(get("SiteId"), "-Site", index, "SiteId") ?? 1,
                Domain = Text(get("Domain")) ?? throw new ArgumentException($"-Site item {index + 1} has no Domain."),
                Path = Text(get("Path")) ?? "/",
                Archived = Bool(get("Archived")),
                Spam = Bool(get("Spam")),
                Deleted = Bool(get("Deleted")),
            };
        }

        private static EmulatedUmMapping ToMapping(object value, int index)
        {
            Func<string, object?> get = Getter(value, "-Mapping", index);
            return new EmulatedUmMapping
            {
                Id = Long(get("Id"), "-Mapping", index, "Id") ?? index + 1,
                BlogId = Long(get("BlogId"), "-Mapping", index, "BlogId") ?? throw new ArgumentException($"-Mapping item {index + 1} has no BlogId (the site it maps to)."),
                Domain = Text(get("Domain")) ?? throw new ArgumentException($"-Mapping item {index + 1} has no Domain."),
                Active = get("Active") == null || Bool(get("Active")),
                Primary = Bool(get("Primary")),
                Secure = Bool(get("Secure")),
                Stage = Text(get("Stage")) ?? "done",
            };
        }

        /// <summary>A hashtable's or an object's property, by name without regard to case.</summary>
        private static Func<string, object?> Getter(object value, string parameter, int index)
        {
            object v = value is PSObject p ? p.BaseObject : value;
            if (v is IDictionary d)
            {
                return name =>
                {
                    foreach (DictionaryEntry entry in d)
                    {
                        if (string.Equals(entry.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase)) return entry.Value is PSObject x ? x.BaseObject : entry.Value;
                    }

                    return null;
                };
            }

            if (v == null || v is ValueType) throw new ArgumentException($"{parameter} item {index + 1} is {(v == null ? "empty" : v.ToString())}: give a hashtable or an object with named properties.");
            PSObject o = PSObject.AsPSObject(value);
            return name => o.Properties[name]?.Value is object x ? (x is PSObject px ? px.BaseObject : x) : null;
        }

        private static long? Long(object? value, string parameter, int index, string name)
        {
            if (value == null) return null;
            if (long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) return n;
            throw new ArgumentException($"{parameter} item {index + 1}: {name} '{value}' is not a whole number.");
        }

        private static string? Text(object? value) => value == null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);

        private static bool Bool(object? value) => value switch
        {
            null => false,
            bool b => b,
            string s => s == "1" || s.Equals("true", StringComparison.OrdinalIgnoreCase),
            _ => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        };
    }
}
