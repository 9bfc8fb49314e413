using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Sources
{
    /// <summary>
    /// One entry of a manifest's <c>connections</c> map: how an unattended run opens the account its targets name, without
    /// the manifest ever holding a secret: <c>{ "baseUri"?, "apiVersion"?, and exactly one of "vault" + "secretName",
    /// "tokenEnvironmentVariable", "credentialPath"; "monthlyQuota"? }</c>. Pure: parsing reads nothing and opens nothing.
    /// </summary>
    internal sealed class ManifestConnection
    {
        private static readonly string[] s_fields = { "baseUri", "apiVersion", "vault", "secretName", "tokenEnvironmentVariable", "credentialPath", "monthlyQuota", "quotaStopPercent" };
        private static readonly Regex s_variableName = new Regex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant);

        /// <summary>The name targets use in "connection" (and -Connection takes).</summary>
        public string Name { get; private set; } = string.Empty;

        /// <summary>The API address, as Connect-RunCloud -BaseUri takes it; null for RunCloud's own.</summary>
        public string? BaseUri { get; private set; }

        /// <summary>v2 or v3; null to follow the credential (v3 for a token, v2 for a key and secret).</summary>
        public string? ApiVersion { get; private set; }

        public ManifestConnectionKind Kind { get; private set; }

        public string? Vault { get; private set; }
        public string? SecretName { get; private set; }

        /// <summary>The NAME of the environment variable that holds the token, never the token.</summary>
        public string? TokenEnvironmentVariable { get; private set; }

        /// <summary>As written in the manifest: relative paths start from the manifest's folder.</summary>
        public string? CredentialPath { get; private set; }

        /// <summary>The account's API calls a month: a sync whose projection would pass it warns, one past <see cref="QuotaStopPercent"/> of it stops before sending.</summary>
        public long? MonthlyQuota { get; private set; }

        /// <summary>With <see cref="MonthlyQuota"/>: the share, in percent (1 to 100), past which syncs stop before sending; null: 90.</summary>
        public int? QuotaStopPercent { get; private set; }

        /// <summary>How messages name it: its name and where its credential comes from (no value).</summary>
        public string Describe() => $"connection '{Name}' ({Kind switch
        {
            ManifestConnectionKind.Vault => $"secret '{SecretName}' of vault '{Vault}'",
            ManifestConnectionKind.EnvironmentVariable => $"token in the environment variable {TokenEnvironmentVariable}",
            _ => $"credential file {CredentialPath}",
        }})";

        /// <summary>The manifest's <c>connections</c> object (null or absent: none). Every problem names the connection and the field.</summary>
        public static IReadOnlyDictionary<string, ManifestConnection> ParseAll(JToken? token, string source)
        {
            var result = new Dictionary<string, ManifestConnection>(StringComparer.OrdinalIgnoreCase);
            if (token == null || token.Type == JTokenType.Null) return result;
            if (!(token is JObject map))
            {
                throw new ManifestException($"Manifest {source}: 'connections' is {Show(token)}; it must be an object of name -> {{ \"vault\": ..., \"secretName\": ... }} (or tokenEnvironmentVariable, or credentialPath).", field: "connections");
            }

            foreach (JProperty entry in map.Properties())
            {
                if (ConnectionName.Problem(entry.Name) is string problem)
                {
                    throw new ManifestException($"Manifest {source}: connections: {problem}", field: "connections");
                }

                if (result.ContainsKey(entry.Name))
                {
                    throw new ManifestException($"Manifest {source}: connections: '{entry.Name}' is defined twice (names ignore case). Define each connection once.", field: "connections." + entry.Name);
                }

                result[entry.Name] = Parse(entry.Name, entry.Value, source);
            }

            return result;
        }

        private static ManifestConnection Parse(string name, JToken token, string source)
        {
            string where = $"Manifest {source}: connection '{name}'";
            if (!(token is JObject o))
            {
                throw new ManifestException($"{where} is {Show(token)}; it must be an object such as {{ \"vault\": \"Company\", \"secretName\": \"runcloud-{name}\" }}.", field: "connections." + name);
            }

            foreach (JProperty p in o.Properties())
            {
                if (!s_fields.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
                {
                    if (FleetManifest.LooksLikeSecretField(p.Name))
                    {
                        throw new ManifestException(
                            $"{where}: field '{p.Name}' looks like a credential. A manifest holds no secret (it is reviewed and kept in version control): remove it and say where "
                            + "the credential is instead: \"vault\" + \"secretName\" (SecretManagement), \"tokenEnvironmentVariable\" (the NAME of a variable holding the token) "
                            + "or \"credentialPath\" (a file written by Export-Clixml).", field: $"connections.{name}.{p.Name}");
                    }

                    throw new ManifestException($"{where}: unknown field '{p.Name}'. Known fields: {string.Join(", ", s_fields)}.", field: $"connections.{name}.{p.Name}");
                }
            }

            var c = new ManifestConnection { Name = name };
            c.BaseUri = Text(o, "baseUri", where, name);
            if (c.BaseUri != null && !(Uri.TryCreate(c.BaseUri, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                throw new ManifestException($"{where}: field 'baseUri' is '{c.BaseUri}'; it must be an absolute https URL such as https://manage.runcloud.io (leave it out for RunCloud's own).", field: $"connections.{name}.baseUri");
            }

            if (Text(o, "apiVersion", where, name) is string version)
            {
                c.ApiVersion = version.ToLowerInvariant();
                if (c.ApiVersion != "v2" && c.ApiVersion != "v3")
                {
                    throw new ManifestException($"{where}: field 'apiVersion' is '{version}'; use \"v2\" or \"v3\", or leave it out (v3 for a token, v2 for a key and secret).", field: $"connections.{name}.apiVersion");
                }
            }

            c.Vault = Text(o, "vault", where, name);
            c.SecretName = Text(o, "secretName", where, name);
            c.TokenEnvironmentVariable = Text(o, "tokenEnvironmentVariable", where, name);
            c.CredentialPath = Text(o, "credentialPath", where, name);

            var kinds = new List<string>();
            if (c.Vault != null || c.SecretName != null) kinds.Add("vault + secretName");
            if (c.TokenEnvironmentVariable != null) kinds.Add("tokenEnvironmentVariable");
            if (c.CredentialPath != null) kinds.Add("credentialPath");
            if (kinds.Count != 1)
            {
                throw new ManifestException(kinds.Count == 0
                    ? $"{where} says nowhere to find its credential. Give exactly one of \"vault\" + \"secretName\" (SecretManagement), \"tokenEnvironmentVariable\" (the name of a variable holding the API token) or \"credentialPath\" (a file written by Export-Clixml)."
                    : $"{where} gives {string.Join(" and ", kinds)}. Give exactly one source of its credential.", field: "connections." + name);
            }

            if (c.Vault != null || c.SecretName != null)
            {
                if (c.Vault == null || c.SecretName == null)
                {
                    throw new ManifestException($"{where}: \"{(c.Vault == null ? "secretName" : "vault")}\" needs \"{(c.Vault == null ? "vault" : "secretName")}\" too: the vault's name and the secret's name in it.", field: $"connections.{name}.{(c.Vault == null ? "vault" : "secretName")}");
                }

                RefuseSecretValue(c.SecretName, "secretName", where, name, "the NAME of the secret in the vault");
                c.Kind = ManifestConnectionKind.Vault;
            }
            else if (c.TokenEnvironmentVariable != null)
            {
                RefuseSecretValue(c.TokenEnvironmentVariable, "tokenEnvironmentVariable", where, name, "the NAME of the environment variable that holds the token (e.g. RUNCLOUD_TOKEN_CLIENTA)");
                if (!s_variableName.IsMatch(c.TokenEnvironmentVariable))
                {
                    throw new ManifestException($"{where}: field 'tokenEnvironmentVariable' must be the name of an environment variable (letters, digits and '_', not starting with a digit), e.g. RUNCLOUD_TOKEN_{name.ToUpperInvariant().Replace('-', '_').Replace('.', '_')}.", field: $"connections.{name}.tokenEnvironmentVariable");
                }

                c.Kind = ManifestConnectionKind.EnvironmentVariable;
            }
            else
            {
                c.Kind = ManifestConnectionKind.CredentialFile;
            }

            if (o.Properties().FirstOrDefault(p => string.Equals(p.Name, "monthlyQuota", StringComparison.OrdinalIgnoreCase))?.Value is JToken q && q.Type != JTokenType.Null)
            {
                if (q.Type != JTokenType.Integer || (long)q <= 0)
                {
                    throw new ManifestException($"{where}: field 'monthlyQuota' is {Show(q)}; it must be a whole number above 0 (the account's API calls a month).", field: $"connections.{name}.monthlyQuota");
                }

                c.MonthlyQuota = (long)q;
            }

            if (o.Properties().FirstOrDefault(p => string.Equals(p.Name, "quotaStopPercent", StringComparison.OrdinalIgnoreCase))?.Value is JToken pct && pct.Type != JTokenType.Null)
            {
                if (pct.Type != JTokenType.Integer || (long)pct < 1 || (long)pct > 100)
                {
                    throw new ManifestException($"{where}: field 'quotaStopPercent' is {Show(pct)}; it must be a whole number from 1 to 100 (the share of 'monthlyQuota' past which syncs stop).", field: $"connections.{name}.quotaStopPercent");
                }

                if (c.MonthlyQuota == null)
                {
                    throw new ManifestException($"{where}: field 'quotaStopPercent' is a share of 'monthlyQuota', which is not given. Add \"monthlyQuota\" (the account's API calls a month).", field: $"connections.{name}.quotaStopPercent");
                }

                c.QuotaStopPercent = (int)(long)pct;
            }

            return c;
        }

        private static string? Text(JObject o, string field, string where, string name)
        {
            JToken? t = o.Properties().FirstOrDefault(p => string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase))?.Value;
            if (t == null || t.Type == JTokenType.Null) return null;
            JTokenType type = t.Type;
            string? value = type == JTokenType.String ? ((string?)t)?.Trim() : null;
            if (value == null || value.Length == 0)
            {
                // The type, not the value: a value in the wrong place may be a credential.
                throw new ManifestException($"{where}: field '{field}' is {(type == JTokenType.String ? "empty" : "a " + type.ToString().ToLowerInvariant())}; it must be a non-empty string.", field: $"connections.{name}.{field}");
            }

            return value;
        }

        /// <summary>
        /// A value where a name belongs that looks like a pasted credential (long, random-looking: upper and lower case
        /// letters and digits, no separators a name would have) is refused; the message never repeats the value.
        /// </summary>
        private static void RefuseSecretValue(string value, string field, string where, string name, string belongs)
        {
            bool random = value.Length >= 24
                && value.Any(char.IsUpper) && value.Any(char.IsLower) && value.Any(char.IsDigit)
                && value.IndexOfAny(new[] { '_', '-', '.', ' ', '/' }) < 0;
            if (random)
            {
                throw new ManifestException(
                    $"{where}: field '{field}' holds a long random-looking value ({value.Length} characters, not shown): it looks like a credential, and a manifest holds none. "
                    + $"Put {belongs} there, and the credential itself where that name points.", field: $"connections.{name}.{field}");
            }
        }

        private static string Show(JToken? t)
        {
            string text = t?.ToString(Formatting.None) ?? "null";
            return text.Length > 60 ? text.Substring(0, 60) + "…" : text;
        }

        public override string ToString() => Describe();
    }
}
