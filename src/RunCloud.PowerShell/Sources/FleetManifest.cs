using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sources.UltimateMultisite;

namespace RunCloud.PowerShell.Sources
{
    /// <summary>
    /// The desired state of many web apps across accounts: <c>{ "targets": [ { "connection": "clientA", "serverId": 1001,
    /// "webAppId": 2001, "domains": [...] | "path": "..." | "wordPressPath": "...", "prune": true, "exclude": [...],
    /// "maxRemove": 10 } ] }</c>, as JSON or as a .psd1 with the same keys. Pure: it reads no file and sends no request;
    /// every problem is found before anything else happens and names the target and the field.
    /// </summary>
    internal sealed class FleetManifest
    {
        private static readonly string[] s_topFields = { "version", "connections", "targets" };
        private static readonly string[] s_targetFields =
        {
            "connection", "serverId", "webAppId", "domains", "path", "wordPressPath", "prune", "exclude", "protectedName",
            "maxRemove", "www", "redirection", "noSslReset", "allowEmptySource", "allowInvalidEntries", "allowTld",
            "via", "wpConfigPath", "wpCliPath", "wpCliArgument", "ultimateMultisiteUri", "ultimateMultisiteKeyVariable", "ultimateMultisiteSecretVariable", "wwwPolicy",
        };

        private static readonly string[] s_sources = { "domains", "path", "wordPressPath", "ultimateMultisiteUri" };

        /// <summary>Fields that belong to one source only.</summary>
        private static readonly string[] s_wordPressFields = { "via", "wpConfigPath", "wpCliPath", "wpCliArgument" };
        private static readonly string[] s_restFields = { "ultimateMultisiteKeyVariable", "ultimateMultisiteSecretVariable", "wwwPolicy" };
        private static readonly System.Text.RegularExpressions.Regex s_variableName = new System.Text.RegularExpressions.Regex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        private static readonly string[] s_redirections = { "none", "www", "non-www" };

        /// <summary>Field names that would hold a credential; a manifest is meant to be reviewed and committed, so it holds none.</summary>
        private static readonly string[] s_secretWords = { "token", "secret", "password", "passwd", "apikey", "api_key", "credential", "bearer", "privatekey" };

        private FleetManifest(string source, IReadOnlyList<FleetTarget> targets, IReadOnlyDictionary<string, ManifestConnection>? connections = null)
        {
            Source = source;
            Targets = targets;
            Connections = connections ?? new Dictionary<string, ManifestConnection>(StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>
        /// How an unattended run opens the accounts the targets name (the manifest's "connections" map; see
        /// <see cref="ManifestConnection"/>). A connection already open in the session under the same name wins.
        /// </summary>
        public IReadOnlyDictionary<string, ManifestConnection> Connections { get; }

        /// <summary>Where the manifest came from (a path), for messages.</summary>
        public string Source { get; }

        public IReadOnlyList<FleetTarget> Targets { get; }

        public static FleetManifest ParseJson(string json, string source)
        {
            JToken root;
            try
            {
                using var reader = new JsonTextReader(new System.IO.StringReader(json)) { DateParseHandling = DateParseHandling.None };
                root = JToken.ReadFrom(reader);
            }
            catch (JsonReaderException ex)
            {
                throw new ManifestException($"Manifest {source} is not valid JSON (line {ex.LineNumber}, position {ex.LinePosition}): {ex.Message} Fix the JSON; nothing was changed.", inner: ex);
            }

            return Parse(root, source);
        }

        /// <summary>A .psd1's data (hashtables, arrays, strings, numbers, booleans) as read by Import-PowerShellDataFile.</summary>
        public static FleetManifest ParseData(object? data, string source) => Parse(ToToken(data), source);

        public static FleetManifest Parse(JToken root, string source)
        {
            if (!(root is JObject top))
            {
                throw new ManifestException($"Manifest {source} must be an object with a 'targets' list, e.g. {{ \"targets\": [ {{ \"connection\": \"clientA\", \"serverId\": 1001, \"webAppId\": 2001, \"domains\": [\"a.example.com\"] }} ] }}.");
            }

            foreach (JProperty p in top.Properties())
            {
                RefuseSecret(p.Name, source, null, null);
                if (!s_topFields.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ManifestException($"Manifest {source}: unknown field '{p.Name}' at the top. The top holds only 'targets', an optional 'connections' map and an optional 'version': 1.", field: p.Name);
                }
            }

            JToken? version = Get(top, "version");
            if (version != null && !(version.Type == JTokenType.Integer && (long)version == 1))
            {
                throw new ManifestException($"Manifest {source}: 'version' is {version.ToString(Formatting.None)}; this module reads version 1. Write \"version\": 1 or leave it out.", field: "version");
            }

            if (!(Get(top, "targets") is JArray list) || list.Count == 0)
            {
                throw new ManifestException($"Manifest {source}: 'targets' is missing or empty. List at least one target: {{ \"serverId\": 1001, \"webAppId\": 2001, \"domains\": [...] }}.", field: "targets");
            }

            IReadOnlyDictionary<string, ManifestConnection> connections = ManifestConnection.ParseAll(Get(top, "connections"), source);
            var targets = new List<FleetTarget>();
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < list.Count; i++)
            {
                FleetTarget target = ParseTarget(list[i], i + 1, source);
                string key = $"{target.Connection}|{target.ServerId}|{target.WebAppId}";
                if (seen.TryGetValue(key, out int first))
                {
                    throw new ManifestException($"Manifest {source}: {target.Describe()} is the same web app as target {first}. Give each web app one target (merge their domains), so its changes stay in one sequence.", target.Index, "webAppId");
                }

                seen[key] = target.Index;
                targets.Add(target);
            }

            return new FleetManifest(source, targets, connections);
        }

        private static FleetTarget ParseTarget(JToken token, int index, string source)
        {
            if (!(token is JObject o))
            {
                throw new ManifestException($"Manifest {source}: target {index} is {Kind(token)}, not an object with serverId, webAppId and one of domains, path or wordPressPath.", index);
            }

            string? connection = null;
            long? serverId = null;
            long? webAppId = null;
            // Read the identity first, so every later message names the target fully.
            if (Get(o, "connection") is JToken c && c.Type != JTokenType.Null)
            {
                connection = c.Type == JTokenType.String ? (string?)c : null;
                if (connection == null || ConnectionName.Problem(connection) != null)
                {
                    throw Fail(source, index, null, null, null, "connection",
                        $"must be the name of a connection opened with Connect-RunCloud -Name (letters, digits, '-', '_', '.'), not {Show(c)}; leave it out to use the default connection.");
                }
            }

            serverId = Id(o, "serverId", source, index, connection, null, null);
            webAppId = Id(o, "webAppId", source, index, connection, serverId, null);
            string where = FleetTarget.Describe(index, connection, serverId, webAppId);

            foreach (JProperty p in o.Properties())
            {
                RefuseSecret(p.Name, source, index, where);
                if (!s_targetFields.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ManifestException($"Manifest {source}: {where}: unknown field '{p.Name}'. Known fields: {string.Join(", ", s_targetFields)}.", index, p.Name);
                }
            }

            var target = new FleetTarget { Index = index, Connection = connection, ServerId = serverId!.Value, WebAppId = webAppId!.Value };
            string[] present = s_sources.Where(s => Get(o, s) is JToken t && t.Type != JTokenType.Null).ToArray();
            if (present.Length != 1)
            {
                throw new ManifestException(present.Length == 0
                    ? $"Manifest {source}: {where}: no source of names. Give exactly one of 'domains' (a list), 'path' (a file of names), 'wordPressPath' (a WordPress network: Ultimate Multisite's mappings from its database or WP-CLI) or 'ultimateMultisiteUri' (a network read through UM's REST API)."
                    : $"Manifest {source}: {where}: {string.Join(" and ", present.Select(p => "'" + p + "'"))} are both given. Give exactly one source of names per target.", index, present.Length == 0 ? "domains" : present[1]);
            }

            switch (present[0])
            {
                case "domains":
                    target.SourceKind = FleetSourceKind.Domains;
                    target.Domains = Strings(o, "domains", source, index, where, allowEmpty: true)!;
                    break;
                case "path":
                    target.SourceKind = FleetSourceKind.Path;
                    target.SourcePath = Text(o, "path", source, index, where);
                    break;
                case "wordPressPath":
                    target.SourceKind = FleetSourceKind.WordPressPath;
                    target.SourcePath = Text(o, "wordPressPath", source, index, where);
                    break;
                default:
                    target.SourceKind = FleetSourceKind.UltimateMultisiteUri;
                    target.UltimateMultisiteUri = Address(o, source, index, where);
                    break;
            }

            ParseNetworkSource(o, target, source, index, where);

            target.Prune = Bool(o, "prune", source, index, where) ?? false;
            target.Www = Bool(o, "www", source, index, where) ?? false;
            target.NoSslReset = Bool(o, "noSslReset", source, index, where) ?? false;
            target.AllowEmptySource = Bool(o, "allowEmptySource", source, index, where) ?? false;
            target.AllowInvalidEntries = Bool(o, "allowInvalidEntries", source, index, where) ?? false;
            target.Exclude = Strings(o, "exclude", source, index, where, allowEmpty: true) ?? Array.Empty<string>();
            target.ProtectedName = Strings(o, "protectedName", source, index, where, allowEmpty: true) ?? target.ProtectedName;
            foreach (string field in new[] { "exclude", "protectedName" })
            {
                try
                {
                    NamePattern.ParseAll(field == "exclude" ? target.Exclude : target.ProtectedName, field);
                }
                catch (ArgumentException ex)
                {
                    throw new ManifestException($"Manifest {source}: {where}: field {ex.Message}", index, field);
                }
            }
            try
            {
                target.AllowTld = DomainName.ParseTlds(Strings(o, "allowTld", source, index, where, allowEmpty: true), "allowTld").ToArray();
            }
            catch (ArgumentException ex)
            {
                throw new ManifestException($"Manifest {source}: {where}: field {ex.Message}", index, "allowTld");
            }

            if (Get(o, "maxRemove") is JToken m && m.Type != JTokenType.Null)
            {
                if (m.Type != JTokenType.Integer || (long)m < 0 || (long)m > int.MaxValue)
                {
                    throw new ManifestException($"Manifest {source}: {where}: field 'maxRemove' is {Show(m)}; it must be a whole number, 0 or more (the most removals this target may make), e.g. 10.", index, "maxRemove");
                }

                target.MaxRemove = (int)(long)m;
            }

            if (Get(o, "redirection") is JToken r && r.Type != JTokenType.Null)
            {
                string? value = r.Type == JTokenType.String ? ((string?)r)?.ToLowerInvariant() : null;
                if (value == null || !s_redirections.Contains(value))
                {
                    throw new ManifestException($"Manifest {source}: {where}: field 'redirection' is {Show(r)}; use \"none\", \"www\" or \"non-www\".", index, "redirection");
                }

                target.Redirection = value;
            }

            return target;
        }

        /// <summary>A WordPress network's own fields ("via", "wpConfigPath", ...; UM REST's key and secret variables, "wwwPolicy"), each only with its source.</summary>
        private static void ParseNetworkSource(JObject o, FleetTarget target, string source, int index, string where)
        {
            foreach (string field in s_wordPressFields.Concat(s_restFields))
            {
                if (!(Get(o, field) is JToken t) || t.Type == JTokenType.Null) continue;
                bool fits = s_wordPressFields.Contains(field) ? target.SourceKind == FleetSourceKind.WordPressPath : target.SourceKind == FleetSourceKind.UltimateMultisiteUri;
                if (!fits)
                {
                    string belongs = s_wordPressFields.Contains(field) ? "'wordPressPath'" : "'ultimateMultisiteUri'";
                    throw new ManifestException($"Manifest {source}: {where}: field '{field}' belongs to a {belongs} source, and this target has none. Remove it, or read the network with {belongs}.", index, field);
                }
            }

            if (target.SourceKind == FleetSourceKind.WordPressPath)
            {
                if (Get(o, "via") is JToken v && v.Type != JTokenType.Null)
                {
                    string? value = v.Type == JTokenType.String ? ((string?)v)?.Trim() : null;
                    if (string.Equals(value, "database", StringComparison.OrdinalIgnoreCase)) target.Via = RunCloudMappingSource.Database;
                    else if (string.Equals(value, "wpCli", StringComparison.OrdinalIgnoreCase)) target.Via = RunCloudMappingSource.WpCli;
                    else
                    {
                        throw new ManifestException($"Manifest {source}: {where}: field 'via' is {Show(v)}; use \"database\" (the default: wp-config.php's database) or \"wpCli\" (WP-CLI on this host). For UM's REST API give 'ultimateMultisiteUri' instead of 'wordPressPath'.", index, "via");
                    }
                }

                if (Get(o, "wpConfigPath") is JToken c && c.Type != JTokenType.Null) target.WpConfigPath = Text(o, "wpConfigPath", source, index, where);
                if (Get(o, "wpCliPath") is JToken w && w.Type != JTokenType.Null) target.WpCliPath = Text(o, "wpCliPath", source, index, where);
                target.WpCliArgument = Strings(o, "wpCliArgument", source, index, where, allowEmpty: true) ?? Array.Empty<string>();
                if (target.Via != RunCloudMappingSource.WpCli && (target.WpCliPath != null || target.WpCliArgument.Length > 0))
                {
                    throw new ManifestException($"Manifest {source}: {where}: 'wpCliPath' and 'wpCliArgument' are used only with \"via\": \"wpCli\"; this target reads the network's database. Add \"via\": \"wpCli\", or remove them.", index, target.WpCliPath != null ? "wpCliPath" : "wpCliArgument");
                }

                return;
            }

            if (target.SourceKind != FleetSourceKind.UltimateMultisiteUri) return;
            target.UltimateMultisiteKeyVariable = Variable(o, "ultimateMultisiteKeyVariable", source, index, where);
            target.UltimateMultisiteSecretVariable = Variable(o, "ultimateMultisiteSecretVariable", source, index, where);
            if (Get(o, "wwwPolicy") is JToken p && p.Type != JTokenType.Null)
            {
                string? value = p.Type == JTokenType.String ? ((string?)p)?.Trim().Replace("_", string.Empty) : null;
                if (value != null && Enum.TryParse(value, true, out UmWwwPolicy policy) && Enum.IsDefined(typeof(UmWwwPolicy), policy) && !int.TryParse(value, out _)) target.WwwPolicy = policy;
                else throw new ManifestException($"Manifest {source}: {where}: field 'wwwPolicy' is {Show(p)}; use \"always\", \"mainOnly\" or \"never\" (UM's auto_create_www_subdomain, which its REST API does not tell).", index, "wwwPolicy");
            }
        }

        private static Uri Address(JObject o, string source, int index, string where)
        {
            JToken t = Get(o, "ultimateMultisiteUri")!;
            string? text = t.Type == JTokenType.String ? ((string?)t)?.Trim() : null;
            if (text == null || !Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ManifestException($"Manifest {source}: {where}: field 'ultimateMultisiteUri' is {Show(t)}; it must be the network's address, e.g. \"https://network.example.com\".", index, "ultimateMultisiteUri");
            }

            return uri;
        }

        /// <summary>The NAME of an environment variable (never its value), required.</summary>
        private static string Variable(JObject o, string field, string source, int index, string where)
        {
            JToken? t = Get(o, field);
            string? value = t != null && t.Type == JTokenType.String ? ((string?)t)?.Trim() : null;
            if (value == null || !s_variableName.IsMatch(value))
            {
                throw new ManifestException(t == null || t.Type == JTokenType.Null
                    ? $"Manifest {source}: {where}: field '{field}' is missing: UM's REST API needs its API key and secret; name the environment variables that hold them ('ultimateMultisiteKeyVariable', 'ultimateMultisiteSecretVariable'), e.g. \"UM_API_KEY\"."
                    : $"Manifest {source}: {where}: field '{field}' is {Show(t)}; it must be the NAME of an environment variable (letters, digits, '_'), e.g. \"UM_API_KEY\", never the value.", index, field);
            }

            return value;
        }

        private static ManifestException Fail(string source, int index, string? connection, long? s, long? w, string field, string problem) =>
            new ManifestException($"Manifest {source}: {FleetTarget.Describe(index, connection, s, w)}: field '{field}' {problem}", index, field);

        private static long Id(JObject o, string field, string source, int index, string? connection, long? s, long? w)
        {
            JToken? t = Get(o, field);
            if (t == null || t.Type == JTokenType.Null)
            {
                throw Fail(source, index, connection, s, w, field, "is missing. Give the number from the RunCloud dashboard URL (/servers/{SERVER_ID}/apps/{APP_ID}).");
            }

            if (t.Type == JTokenType.Integer && (long)t > 0) return (long)t;
            if (t.Type == JTokenType.String && long.TryParse((string?)t, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) && parsed > 0) return parsed;
            throw Fail(source, index, connection, s, w, field, $"is {Show(t)}; it must be a positive whole number (from the dashboard URL /servers/{{SERVER_ID}}/apps/{{APP_ID}}).");
        }

        private static bool? Bool(JObject o, string field, string source, int index, string where)
        {
            JToken? t = Get(o, field);
            if (t == null || t.Type == JTokenType.Null) return null;
            if (t.Type == JTokenType.Boolean) return (bool)t;
            throw new ManifestException($"Manifest {source}: {where}: field '{field}' is {Show(t)}; it must be true or false ($true or $false in a .psd1).", index, field);
        }

        private static string Text(JObject o, string field, string source, int index, string where)
        {
            JToken t = Get(o, field)!;
            string? value = t.Type == JTokenType.String ? ((string?)t)?.Trim() : null;
            if (string.IsNullOrEmpty(value))
            {
                throw new ManifestException($"Manifest {source}: {where}: field '{field}' is {Show(t)}; it must be a non-empty path (relative paths start from the manifest's folder).", index, field);
            }

            return value!;
        }

        private static string[]? Strings(JObject o, string field, string source, int index, string where, bool allowEmpty)
        {
            JToken? t = Get(o, field);
            if (t == null || t.Type == JTokenType.Null) return null;
            if (t.Type == JTokenType.String) t = new JArray(t);
            if (!(t is JArray a))
            {
                throw new ManifestException($"Manifest {source}: {where}: field '{field}' is {Show(t)}; it must be a list of names, e.g. [\"a.example.com\"].", index, field);
            }

            var result = new List<string>();
            for (int i = 0; i < a.Count; i++)
            {
                if (a[i].Type != JTokenType.String || string.IsNullOrWhiteSpace((string?)a[i]))
                {
                    throw new ManifestException($"Manifest {source}: {where}: field '{field}', item {i + 1} is {Show(a[i])}; every item must be a non-empty name.", index, field);
                }

                result.Add(((string)a[i]!).Trim());
            }

            if (!allowEmpty && result.Count == 0)
            {
                throw new ManifestException($"Manifest {source}: {where}: field '{field}' is empty.", index, field);
            }

            return result.ToArray();
        }

        /// <summary>True for a field name that would hold a credential (token, secret, password, apiKey, ...).</summary>
        internal static bool LooksLikeSecretField(string name)
        {
            string compact = name.Replace("-", string.Empty).Replace("_", string.Empty).ToLowerInvariant();
            // A field that names an environment variable holds the variable's name, never the secret (ultimateMultisiteSecretVariable).
            if (compact.EndsWith("variable", StringComparison.Ordinal)) return false;
            return s_secretWords.Any(w => compact.Contains(w.Replace("_", string.Empty)));
        }

        private static void RefuseSecret(string name, string source, int? index, string? where)
        {
            if (LooksLikeSecretField(name))
            {
                throw new ManifestException(
                    $"Manifest {source}: {(where != null ? where + ": " : string.Empty)}field '{name}' looks like a credential. A manifest holds no secret (it is meant to be reviewed and kept in version control): "
                    + "remove it, say where the credential is in the manifest's \"connections\" map (vault + secretName, tokenEnvironmentVariable or credentialPath) or open the account with "
                    + "Connect-RunCloud -Name <connection>, and name that connection in the target's 'connection'.",
                    index, name);
            }
        }

        private static JToken? Get(JObject o, string name) =>
            o.Properties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

        private static string Show(JToken? t)
        {
            string text = t?.ToString(Formatting.None) ?? "null";
            return text.Length > 60 ? text.Substring(0, 60) + "…" : text;
        }

        private static string Kind(JToken t) => t.Type switch
        {
            JTokenType.Array => "a list",
            JTokenType.String => "a string",
            JTokenType.Null => "empty",
            _ => t.Type.ToString().ToLowerInvariant(),
        };

        /// <summary>Hashtables, arrays and scalars (as a .psd1 gives them) to the same JSON tree a .json manifest gives.</summary>
        internal static JToken ToToken(object? value)
        {
            object? v = value is PSObject pso ? pso.BaseObject : value;
            switch (v)
            {
                case null: return JValue.CreateNull();
                case string s: return new JValue(s);
                case bool b: return new JValue(b);
                case int i: return new JValue((long)i);
                case long l: return new JValue(l);
                case byte or short or sbyte or ushort or uint: return new JValue(Convert.ToInt64(v, CultureInfo.InvariantCulture));
                case double or float or decimal: return new JValue(Convert.ToDouble(v, CultureInfo.InvariantCulture));
                case IDictionary d:
                    var o = new JObject();
                    foreach (DictionaryEntry e in d) o[e.Key?.ToString() ?? string.Empty] = ToToken(e.Value);
                    return o;
                case IEnumerable list:
                    var a = new JArray();
                    foreach (object? item in list) a.Add(ToToken(item));
                    return a;
                default:
                    return new JValue(v.ToString());
            }
        }
    }
}
