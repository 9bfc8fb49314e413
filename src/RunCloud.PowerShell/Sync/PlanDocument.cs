using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The reviewable plan file: one JSON document with, per target, the adds, removals, SSL action, guard verdicts,
    /// exact API calls, the fingerprint of the live list it was made from, and the desired list and rules it was planned
    /// under (applying checks every change against them again). Holds no secret. Reading it back checks its shape and
    /// that its call counts follow from its actions (an edited count is refused, not trusted).
    /// Version 2 added the desired list, the rules (with the top-level domains allowed besides the public suffix list's)
    /// and the SSL state; a version 1 file is refused (make a new plan). Its optional "source" (added later, so a file
    /// without it still applies, as a list) says where the names were read, each name's own www, redirection and origin
    /// (an Ultimate Multisite network's mapping id, stage, site), the mapped names not served, and the names the source
    /// protects, which applying checks every removal against again.
    /// </summary>
    internal static class PlanDocument
    {
        public const string Kind = "RunCloudSyncPlan";
        public const int Version = 2;

        public static string Write(IReadOnlyList<RunCloudSyncPlan> plans, string? manifest)
        {
            var doc = new JObject
            {
                ["kind"] = Kind,
                ["version"] = Version,
                ["createdAt"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["manifest"] = manifest,
                ["summary"] = new JObject
                {
                    ["targets"] = plans.Count,
                    ["proceed"] = plans.Count(p => !p.IsBlocked),
                    ["blocked"] = plans.Count(p => p.IsBlocked),
                    ["adds"] = plans.Where(p => !p.IsBlocked).Sum(p => p.Add.Length),
                    ["removals"] = plans.Where(p => !p.IsBlocked).Sum(p => p.Remove.Length),
                    ["plannedCalls"] = plans.Sum(p => p.PlannedCalls),
                    ["plannedCallsByAccount"] = new JObject(plans.GroupBy(p => p.Account, StringComparer.OrdinalIgnoreCase)
                        .Select(g => new JProperty(g.Key, g.Sum(p => p.PlannedCalls)))),
                },
                ["targets"] = new JArray(plans.Select(ToJson)),
            };
            return doc.ToString(Formatting.Indented);
        }

        private static JObject ToJson(RunCloudSyncPlan p) => new JObject
        {
            ["index"] = p.Index,
            ["connection"] = p.Connection,
            ["baseUri"] = p.BaseUri,
            ["keyId"] = p.KeyId,
            ["serverId"] = p.ServerId,
            ["webAppId"] = p.WebAppId,
            ["createdAt"] = p.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["verdict"] = p.Verdict,
            ["error"] = p.Error,
            ["guards"] = new JArray(p.Guards.Select(g => new JObject { ["name"] = g.Name, ["verdict"] = g.Verdict, ["message"] = g.Message })),
            ["add"] = new JArray(p.Add.Cast<object>().ToArray()),
            ["remove"] = new JArray(p.Remove.Select(d => new JObject { ["id"] = d.Id, ["name"] = d.Name })),
            ["ssl"] = new JObject
            {
                ["action"] = p.SslAction, ["sslId"] = p.SslId, ["state"] = p.SslState, ["orders"] = p.SslOrders, ["checksDns"] = p.SslChecksDns,
                ["removeCertificates"] = p.RemoveCertificates,
            },
            ["owed"] = p.Owed,
            ["options"] = new JObject
            {
                ["www"] = p.Www, ["redirection"] = p.Redirection, ["noSslReset"] = p.NoSslReset,
                ["prune"] = p.Prune, ["maxRemove"] = p.MaxRemove, ["exclude"] = new JArray(p.Exclude.Cast<object>().ToArray()),
                ["protectedName"] = new JArray(p.ProtectedName.Cast<object>().ToArray()), ["allowEmptySource"] = p.AllowEmptySource,
                ["allowInvalidEntries"] = p.AllowInvalidEntries, ["allowTld"] = new JArray(p.AllowTld.Cast<object>().ToArray()),
            },
            ["plannedCalls"] = p.PlannedCalls,
            ["calls"] = new JObject { ["verify"] = p.VerifyCalls + p.RecheckCalls, ["changes"] = p.ChangeCalls, ["ssl"] = p.SslCalls },
            ["desired"] = new JArray(p.Desired.Cast<object>().ToArray()),
            ["source"] = new JObject
            {
                ["description"] = p.Source,
                ["extraTables"] = new JArray(p.ExtraTables.Cast<object>().ToArray()),
                ["protected"] = new JArray(p.Protected.Cast<object>().ToArray()),
                ["names"] = new JArray(p.DesiredNames.Select(NameJson)),
                ["notServed"] = new JArray(p.NotServed.Select(NameJson)),
            },
            ["unchanged"] = new JArray(p.Unchanged.Cast<object>().ToArray()),
            ["kept"] = new JArray(p.Kept.Cast<object>().ToArray()),
            ["skipped"] = new JArray(p.Skipped.Select(s => new JObject { ["name"] = s.Name, ["reason"] = s.Reason, ["kind"] = s.Kind })),
            ["fingerprint"] = p.Fingerprint,
            ["live"] = new JArray(p.Live.Select(d => new JObject { ["id"] = d.Id, ["name"] = d.Name, ["primary"] = d.IsPrimary })),
        };

        private static JObject NameJson(RunCloudDesiredName d)
        {
            var o = new JObject { ["name"] = d.Name, ["action"] = d.Action, ["www"] = d.Www, ["redirection"] = d.Redirection, ["source"] = d.Source, ["kind"] = d.Kind };
            if (d.MappingId.HasValue) o["mappingId"] = d.MappingId.Value;
            if (d.Stage != null) o["stage"] = d.Stage;
            if (d.Active.HasValue) o["active"] = d.Active.Value;
            if (d.BlogId.HasValue) o["blogId"] = d.BlogId.Value;
            if (d.Site != null) o["site"] = d.Site;
            if (d.Table != null) o["table"] = d.Table;
            if (d.NetworkId.HasValue) o["networkId"] = d.NetworkId.Value;
            if (d.CoveredBy != null) o["coveredBy"] = d.CoveredBy;
            if (d.NotServedReason != null) o["notServedReason"] = d.NotServedReason;
            if (d.NotServed != null) o["notServed"] = d.NotServed;
            return o;
        }

        /// <summary>A desired name of the plan's source; its redirection is checked (applying sends it).</summary>
        private static RunCloudDesiredName NameFrom(JToken token)
        {
            if (!(token is JObject o)) throw new PlanFileException("'source.names' must list objects.");
            string redirection = ((string?)o["redirection"] ?? "none").ToLowerInvariant();
            if (redirection != "none" && redirection != "www" && redirection != "non-www")
            {
                throw new PlanFileException($"'source.names': {(string?)o["name"]} has redirection '{redirection}'; use none, www or non-www.");
            }

            return new RunCloudDesiredName
            {
                Name = Req<string>(o, "name"),
                Action = (string?)o["action"] ?? RunCloudDesiredName.None,
                Www = (bool?)o["www"] ?? false,
                Redirection = redirection,
                Source = (string?)o["source"] ?? string.Empty,
                Kind = (string?)o["kind"] ?? "List",
                MappingId = (long?)o["mappingId"],
                Stage = (string?)o["stage"],
                Active = (bool?)o["active"],
                BlogId = (long?)o["blogId"],
                Site = (string?)o["site"],
                Table = (string?)o["table"],
                NetworkId = (long?)o["networkId"],
                CoveredBy = (string?)o["coveredBy"],
                NotServedReason = (string?)o["notServedReason"],
                NotServed = (string?)o["notServed"],
            };
        }

        /// <summary>Reads a plan file; a problem is an <see cref="InvalidOperationException"/> naming the target and field.</summary>
        public static List<RunCloudSyncPlan> Read(string json, string source)
        {
            JObject doc;
            try
            {
                using var reader = new JsonTextReader(new System.IO.StringReader(json)) { DateParseHandling = DateParseHandling.None };
                doc = JToken.ReadFrom(reader) as JObject ?? throw new PlanFileException($"{source} is not a plan file (not a JSON object). Make one with New-RunCloudSyncPlan -OutFile.");
            }
            catch (JsonReaderException ex)
            {
                throw new PlanFileException($"{source} is not valid JSON (line {ex.LineNumber}): {ex.Message} Make a new plan with New-RunCloudSyncPlan -OutFile.");
            }

            if ((string?)doc["kind"] != Kind || (doc["version"]?.Type != JTokenType.Integer))
            {
                throw new PlanFileException($"{source} is not a plan file (\"kind\": \"{Kind}\", \"version\": {Version}). Make one with New-RunCloudSyncPlan -OutFile.");
            }

            if ((int)doc["version"]! != Version)
            {
                throw new PlanFileException($"{source} is a version {(int)doc["version"]!} plan file; this module applies version {Version} plans, which also record the desired list and the rules every change is checked against again. Make a new plan with New-RunCloudSyncPlan -OutFile.");
            }

            if (!(doc["targets"] is JArray targets) || targets.Count == 0)
            {
                throw new PlanFileException($"{source} has no targets. Make a new plan with New-RunCloudSyncPlan -OutFile.");
            }

            var plans = new List<RunCloudSyncPlan>();
            for (int i = 0; i < targets.Count; i++)
            {
                string where = $"{source}, target {i + 1}";
                if (!(targets[i] is JObject t)) throw new PlanFileException($"{where} is not an object.");
                try
                {
                    var p = new RunCloudSyncPlan
                    {
                        Index = Req<int>(t, "index"),
                        Connection = (string?)t["connection"],
                        BaseUri = Req<string>(t, "baseUri"),
                        KeyId = (string?)t["keyId"],
                        ServerId = Req<long>(t, "serverId"),
                        WebAppId = Req<long>(t, "webAppId"),
                        CreatedAt = DateTime.TryParse((string?)t["createdAt"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime c) ? c : DateTime.MinValue,
                        Verdict = Req<string>(t, "verdict"),
                        Error = (string?)t["error"],
                        Guards = Arr(t, "guards").Select(g => new RunCloudSyncGuard((string?)g["name"] ?? "?", (string?)g["verdict"] ?? "?", (string?)g["message"] ?? string.Empty)).ToArray(),
                        Add = Arr(t, "add").Select(a => a.Type == JTokenType.String ? (string)a! : throw new PlanFileException("'add' must list names")).ToArray(),
                        Remove = Arr(t, "remove").Select(r => new RunCloudPlannedDomain(Req<long>((JObject)r, "id"), Req<string>((JObject)r, "name"))).ToArray(),
                        SslAction = (string?)t["ssl"]?["action"] ?? "None",
                        SslId = (long?)t["ssl"]?["sslId"],
                        SslState = (string?)t["ssl"]?["state"],
                        SslOrders = (int?)t["ssl"]?["orders"] ?? 0,
                        SslChecksDns = (bool?)t["ssl"]?["checksDns"] ?? false,
                        RemoveCertificates = (int?)t["ssl"]?["removeCertificates"] ?? 0,
                        Owed = (string?)t["owed"],
                        Www = (bool?)t["options"]?["www"] ?? false,
                        Redirection = (string?)t["options"]?["redirection"] ?? "none",
                        NoSslReset = (bool?)t["options"]?["noSslReset"] ?? false,
                        Prune = (bool?)t["options"]?["prune"] ?? false,
                        MaxRemove = (int?)t["options"]?["maxRemove"] ?? 10,
                        Exclude = Arr((JObject?)t["options"] ?? new JObject(), "exclude").Select(a => (string)a!).ToArray(),
                        ProtectedName = t["options"]?["protectedName"] == null ? new[] { "*.runcloud.link" } : Arr((JObject)t["options"]!, "protectedName").Select(a => (string)a!).ToArray(),
                        AllowEmptySource = (bool?)t["options"]?["allowEmptySource"] ?? false,
                        AllowInvalidEntries = (bool?)t["options"]?["allowInvalidEntries"] ?? false,
                        AllowTld = Arr((JObject?)t["options"] ?? new JObject(), "allowTld").Select(Tld).ToArray(),
                        Desired = Arr(t, "desired").Select(a => a.Type == JTokenType.String ? (string)a! : throw new PlanFileException("'desired' must list names")).ToArray(),
                        Source = (string?)t["source"]?["description"] ?? "list",
                        ExtraTables = Arr((JObject?)t["source"] ?? new JObject(), "extraTables").Select(a => (string)a!).ToArray(),
                        Protected = Arr((JObject?)t["source"] ?? new JObject(), "protected").Select(a => a.Type == JTokenType.String ? (string)a! : throw new PlanFileException("'source.protected' must list names")).ToArray(),
                        DesiredNames = Arr((JObject?)t["source"] ?? new JObject(), "names").Select(NameFrom).ToArray(),
                        NotServed = Arr((JObject?)t["source"] ?? new JObject(), "notServed").Select(NameFrom).ToArray(),
                        Unchanged = Arr(t, "unchanged").Select(a => (string)a!).ToArray(),
                        Kept = Arr(t, "kept").Select(a => (string)a!).ToArray(),
                        Skipped = Arr(t, "skipped").Select(s => new RunCloudSyncSkip((string?)s["name"] ?? string.Empty, (string?)s["reason"] ?? string.Empty, (string?)s["kind"] ?? RunCloudSyncSkip.Invalid)).ToArray(),
                        Fingerprint = Req<string>(t, "fingerprint"),
                        Live = Arr(t, "live").Select(d => new RunCloudPlannedDomain(Req<long>((JObject)d, "id"), Req<string>((JObject)d, "name"), (bool?)d["primary"] ?? false)).ToArray(),
                    };
                    p.VerifyCalls = RunCloudSyncPlan.ListingPages(p.Live.Length);
                    if (p.NoSslReset && p.SslAction != "None") throw new PlanFileException("'ssl.action' must be None with 'noSslReset': no SSL step runs.");
                    if (!string.Equals(LiveFingerprint.Compute(p.Live), p.Fingerprint, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new PlanFileException("'live' does not match 'fingerprint': the file was edited there. Make a new plan.");
                    }

                    int? written = (int?)t["plannedCalls"];
                    if (written.HasValue && written.Value != p.PlannedCalls)
                    {
                        throw new PlanFileException($"'plannedCalls' says {written.Value}, but its actions need {p.PlannedCalls}. If you edited the adds or removals, correct plannedCalls (or make a new plan) so the reviewed cost is the real one.");
                    }

                    plans.Add(p);
                }
                catch (PlanFileException ex)
                {
                    throw new PlanFileException($"{where}: {ex.Message}");
                }
                catch (Exception ex) when (ex is InvalidCastException || ex is FormatException || ex is OverflowException || ex is ArgumentException)
                {
                    throw new PlanFileException($"{where}: a field has the wrong type ({ex.Message}). Make a new plan with New-RunCloudSyncPlan -OutFile.");
                }
            }

            return plans;
        }

        /// <summary>An "allowTld" entry: one label, as -AllowTld takes it.</summary>
        private static string Tld(JToken value)
        {
            if (value.Type != JTokenType.String) throw new PlanFileException("'options.allowTld' must list top-level domains (strings).");
            if (!Input.DomainName.TryNormalizeTld((string?)value, out string tld, out string error)) throw new PlanFileException("'options.allowTld': " + error);
            return tld;
        }

        private static IEnumerable<JToken> Arr(JObject t, string name) =>
            t[name] switch
            {
                null => Enumerable.Empty<JToken>(),
                JArray a => a,
                JToken other when other.Type == JTokenType.Null => Enumerable.Empty<JToken>(),
                _ => throw new PlanFileException($"field '{name}' must be a list."),
            };

        private static T Req<T>(JObject t, string name)
        {
            JToken? v = t[name];
            if (v == null || v.Type == JTokenType.Null) throw new PlanFileException($"field '{name}' is missing. Make a new plan with New-RunCloudSyncPlan -OutFile.");
            return v.ToObject<T>()!;
        }
    }
}
