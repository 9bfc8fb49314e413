using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>
    /// The documented credential resolution chain of Connect-RunCloud when no credential parameter is given:
    /// <list type="number">
    /// <item>RUNCLOUD_API_TOKEN (Bearer token)</item>
    /// <item>WU_RUNCLOUD_API_TOKEN (Bearer token; the name Ultimate Multisite's v3 integration reads)</item>
    /// <item>RUNCLOUD_API_KEY + RUNCLOUD_API_SECRET (v2 Basic)</item>
    /// <item>WU_RUNCLOUD_API_KEY + WU_RUNCLOUD_API_SECRET (v2 Basic; Ultimate Multisite's names)</item>
    /// </list>
    /// RUNCLOUD_SERVER_ID / RUNCLOUD_APP_ID give the default ids, else WU_RUNCLOUD_SERVER_ID / WU_RUNCLOUD_APP_ID. A pair
    /// is never mixed across the two families (a key from one and a secret from the other is refused). In a wp-config.php
    /// the same rule holds: a token wins over a key/secret pair. Every message names the variable a value came from,
    /// never the value of a secret.
    /// </summary>
    internal static class CredentialResolver
    {
        public const string TokenVariable = "RUNCLOUD_API_TOKEN";
        public const string KeyVariable = "RUNCLOUD_API_KEY";
        public const string SecretVariable = "RUNCLOUD_API_SECRET";
        public const string ServerVariable = "RUNCLOUD_SERVER_ID";
        public const string AppVariable = "RUNCLOUD_APP_ID";

        /// <summary>The API address Connect-RunCloud uses when -BaseUri is not given (not a secret).</summary>
        public const string BaseUriVariable = "RUNCLOUD_BASE_URI";

        /// <summary>The API version (v2 or v3) Connect-RunCloud uses when -ApiVersion is not given.</summary>
        public const string ApiVersionVariable = "RUNCLOUD_API_VERSION";

        public const string WuToken = "WU_RUNCLOUD_API_TOKEN";
        public const string WuKey = "WU_RUNCLOUD_API_KEY";
        public const string WuSecret = "WU_RUNCLOUD_API_SECRET";
        public const string WuServer = "WU_RUNCLOUD_SERVER_ID";
        public const string WuApp = "WU_RUNCLOUD_APP_ID";

        public static ResolvedCredential FromEnvironment(Func<string, string?> getVariable)
        {
            string? Get(string name)
            {
                string? value = getVariable(name);
                return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
            }

            const string where = "environment variable";
            string? token = Get(TokenVariable) ?? Get(WuToken);
            string tokenName = Get(TokenVariable) != null ? TokenVariable : WuToken;
            bool ownPair = Get(KeyVariable) != null || Get(SecretVariable) != null;
            bool wuPair = Get(WuKey) != null || Get(WuSecret) != null;
            ResolvedCredential? resolved = token != null || ownPair
                ? FromValues(token, tokenName, Get(KeyVariable), KeyVariable, Get(SecretVariable), SecretVariable, where)
                : FromValues(null, tokenName, Get(WuKey), WuKey, Get(WuSecret), WuSecret, where);
            if (resolved == null)
            {
                throw new CredentialNotFoundException(
                    "No RunCloud credentials were given and none were found. Looked for, in this order, the environment variables "
                    + $"{TokenVariable}; {WuToken}; {KeyVariable} together with {SecretVariable}; {WuKey} together with {WuSecret}. "
                    + "Pass -Token, -ApiKey with -ApiSecret, -Credential, -Vault or -WpConfigPath, or set one of those variables.");
            }

            if (token != null && Get(TokenVariable) != null && Get(WuToken) != null)
            {
                resolved.Notes.Add($"{WuToken} is also set; {TokenVariable} wins.");
            }

            if ((token != null || ownPair) && wuPair)
            {
                resolved.Notes.Add($"{WuKey}/{WuSecret} are also set; " + (token != null ? "the token wins over a key/secret pair." : $"{KeyVariable}/{SecretVariable} win."));
            }

            resolved.ServerId = Id(Get(ServerVariable), ServerVariable, Get(WuServer), WuServer, "server id", resolved);
            resolved.WebAppId = Id(Get(AppVariable), AppVariable, Get(WuApp), WuApp, "web app id", resolved);
            return resolved;
        }

        /// <summary>
        /// A default id from the environment: the RUNCLOUD_* variable, else the WU_RUNCLOUD_* one. When both are set and
        /// differ, the first wins and a warning says so (ids are not secrets: both values are named).
        /// </summary>
        private static long? Id(string? own, string ownName, string? wu, string wuName, string what, ResolvedCredential resolved)
        {
            long? first = ParseId(own, ownName, "the environment");
            long? second = ParseId(wu, wuName, "the environment");
            if (first.HasValue && second.HasValue && first.Value != second.Value)
            {
                resolved.Warnings.Add($"{ownName} ({first.Value}) and {wuName} ({second.Value}) disagree; the {what} from {ownName} is used.");
            }

            long? id = first ?? second;
            if (id.HasValue) resolved.Notes.Add($"Default {what} from {(first.HasValue ? ownName : wuName)}.");
            return id;
        }

        /// <summary>
        /// The API token held by the environment variable <paramref name="variable"/> (a manifest connection's
        /// tokenEnvironmentVariable): an error names the variable, never a value.
        /// </summary>
        public static ResolvedCredential FromTokenVariable(string variable, Func<string, string?> getVariable, string usedBy)
        {
            string? value = getVariable(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new CredentialNotFoundException(
                    $"{usedBy} reads the API token from the environment variable {variable}, which is not set (or empty) in this process. "
                    + "Set it where the task runs (a systemd EnvironmentFile=, the crontab's environment file, the account's environment), or name another source in the manifest.");
            }

            var resolved = new ResolvedCredential(RunCloudCredential.ForToken(SecureText.FromPlain(value!.Trim())), $"{variable} (environment variable)");
            resolved.Notes.Add($"Using the API token from {variable} (environment variable).");
            return resolved;
        }

        /// <param name="serverIdGiven">The caller passes the server id explicitly: an ambiguous WU_RUNCLOUD_SERVER_ID is not needed, so not an error.</param>
        /// <param name="webAppIdGiven">Likewise for WU_RUNCLOUD_APP_ID.</param>
        /// <param name="stored">
        /// Where to look for the constants wp-config.php does not define (Ultimate Multisite 2.4.11+ keeps them as network
        /// options in the database): given the loaded file and the names missing, it returns the values it found and where
        /// each came from (never logged). Called only when a name is missing; a defined constant always wins.
        /// </param>
        public static ResolvedCredential FromWpConfig(string path, bool serverIdGiven = false, bool webAppIdGiven = false,
            Func<WpConfigFile, IReadOnlyList<string>, IDictionary<string, StoredCredentialValue>>? stored = null)
        {
            WpConfigFile config = WpConfigFile.Load(path);

            // A constant PHP may define differently per request (inside if/else, defined twice, from getenv(), in a file
            // this reader cannot follow) is never guessed.
            bool tokenDefined = config.IsDefined(WuToken);
            var problems = new List<string>();
            problems.AddRange(config.Problems(WuToken, mustBeKnown: true));
            problems.AddRange(config.Problems(WuKey, mustBeKnown: !tokenDefined));
            problems.AddRange(config.Problems(WuSecret, mustBeKnown: !tokenDefined));
            if (!serverIdGiven) problems.AddRange(config.Problems(WuServer, mustBeKnown: true));
            if (!webAppIdGiven) problems.AddRange(config.Problems(WuApp, mustBeKnown: true));
            foreach (string other in config.Definitions.Select(d => d.Name).Distinct()
                         .Where(n => n.StartsWith("WU_RUNCLOUD_", StringComparison.Ordinal) && n != WuToken && n != WuKey && n != WuSecret && n != WuServer && n != WuApp))
            {
                problems.AddRange(config.Problems(other, mustBeKnown: false));
            }

            if (problems.Count > 0)
            {
                throw new WpConfigException(
                    $"'{path}' does not define the RunCloud constants unambiguously: {string.Join("; ", problems.Distinct())}. Nothing was connected: PHP decides such values "
                    + "per request, and guessing could point a scheduled sync at the wrong web app. Pass the values explicitly instead "
                    + "(-ServerId and -WebAppId for the ids; -Token, or the WU_RUNCLOUD_API_TOKEN environment variable, for the credentials), "
                    + "or define each constant once, unconditionally, with a literal value.");
            }

            string? Get(string name) => config.Value(name) is string v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
            string source = $"wp-config.php at {path}";
            var values = new Dictionary<string, (string Value, string Where)>(StringComparer.Ordinal);
            foreach (string name in new[] { WuToken, WuKey, WuSecret, WuServer, WuApp })
            {
                if (Get(name) is string v) values[name] = (v, source);
            }

            // Ultimate Multisite 2.4.11+ may keep what wp-config.php lacks in the database.
            var missing = new List<string>();
            if (!values.ContainsKey(WuToken) && !(values.ContainsKey(WuKey) && values.ContainsKey(WuSecret)))
            {
                missing.AddRange(new[] { WuToken, WuKey, WuSecret }.Where(n => !values.ContainsKey(n)));
            }

            if (!serverIdGiven && !values.ContainsKey(WuServer)) missing.Add(WuServer);
            if (!webAppIdGiven && !values.ContainsKey(WuApp)) missing.Add(WuApp);
            var storedNotes = new List<string>();
            if (stored != null && missing.Count > 0)
            {
                foreach (var pair in stored(config, missing))
                {
                    if (values.ContainsKey(pair.Key) || !missing.Contains(pair.Key) || string.IsNullOrWhiteSpace(pair.Value.Value)) continue;
                    values[pair.Key] = (pair.Value.Value.Trim(), pair.Value.Where);
                    storedNotes.Add($"{pair.Key} is not defined in {path}; using {pair.Value.Where}.");
                }
            }

            string? Val(string name) => values.TryGetValue(name, out var v) ? v.Value : null;
            string WhereOf(string name) => values.TryGetValue(name, out var v) ? v.Where : source;
            string credentialWhere = values.ContainsKey(WuToken) ? WhereOf(WuToken) : WhereOf(WuKey) == WhereOf(WuSecret) ? WhereOf(WuKey) : WhereOf(WuKey) + " and " + WhereOf(WuSecret);
            ResolvedCredential? resolved = FromValues(Val(WuToken), WuToken, Val(WuKey), Val(WuSecret), credentialWhere);
            if (resolved == null)
            {
                throw new WpConfigException(
                    $"'{path}' defines none of the RunCloud credentials. Looked for define('{WuToken}', ...), or define('{WuKey}', ...) "
                    + $"together with define('{WuSecret}', ...), outside comments"
                    + (stored != null ? ", and for Ultimate Multisite's network options wu_hosting_credential_" + WuToken + " (and _API_KEY/_API_SECRET) in the database" : string.Empty)
                    + ". Add them as the Ultimate Multisite RunCloud guide shows.");
            }

            resolved.Notes.AddRange(storedNotes);
            foreach (string note in config.Notes) resolved.Notes.Add(note);
            try
            {
                resolved.ServerId = serverIdGiven ? null : ParseId(Val(WuServer), WuServer, WhereOf(WuServer));
                resolved.WebAppId = webAppIdGiven ? null : ParseId(Val(WuApp), WuApp, WhereOf(WuApp));
            }
            catch (InvalidIdException ex)
            {
                throw new WpConfigException(ex.Message);
            }

            return resolved;
        }

        private static ResolvedCredential? FromValues(string? token, string tokenName, string? key, string? secret, string where) =>
            FromValues(token, tokenName, key, WuKey, secret, WuSecret, where);

        private static ResolvedCredential? FromValues(string? token, string tokenName, string? key, string keyName, string? secret, string secretName, string where)
        {
            if (token != null)
            {
                var r = new ResolvedCredential(RunCloudCredential.ForToken(SecureText.FromPlain(token)), $"{tokenName} ({where})");
                r.Notes.Add($"Using the API token from {tokenName} ({where}).");
                if (key != null || secret != null)
                {
                    r.Notes.Add($"{keyName}/{secretName} are also set; the token wins over a key/secret pair.");
                }

                return r;
            }

            if (key != null && secret == null)
            {
                throw new CredentialNotFoundException($"{keyName} is set ({where}) but {secretName} is not. Set both, or use an API token ({TokenVariable} or {WuToken}).");
            }

            if (secret != null && key == null)
            {
                throw new CredentialNotFoundException($"{secretName} is set ({where}) but {keyName} is not. Set both, or use an API token ({TokenVariable} or {WuToken}).");
            }

            if (key == null) return null;
            ValidateApiKey(key, $"{keyName} ({where})");
            var resolved = new ResolvedCredential(RunCloudCredential.ForApiKey(key, SecureText.FromPlain(secret!)), $"{keyName}/{secretName} ({where})");
            resolved.Notes.Add($"Using the API key and secret from {keyName}/{secretName} ({where}).");
            return resolved;
        }

        internal static void ValidateApiKey(string key, string where)
        {
            if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ':'))
            {
                throw new CredentialNotFoundException($"The API key from {where} contains white space, a control character or ':'. Copy the key again from RunCloud > Settings > API.");
            }
        }

        internal static long? ParseId(string? text, string name, string where)
        {
            if (text == null) return null;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) || id <= 0)
            {
                throw new InvalidIdException(name, $"{name} from {where} is '{Shorten(text)}', which is not a positive whole number. Use the number in the RunCloud dashboard URL (/servers/{{SERVER_ID}}/apps/{{APP_ID}}).");
            }

            return id;
        }

        private static string Shorten(string text) => text.Length > 40 ? text.Substring(0, 40) + "…" : text;
    }
}
