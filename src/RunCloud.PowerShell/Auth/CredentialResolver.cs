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
        public static ResolvedCredential FromWpConfig(string path, bool serverIdGiven = false, bool webAppIdGiven = false)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                throw new WpConfigException($"Cannot read '{path}': {ex.Message} Pass the path of the WordPress site's wp-config.php.");
            }

            WpConfigReader.Result parsed;
            try
            {
                parsed = WpConfigReader.Parse(text);
            }
            catch (FormatException ex)
            {
                throw new WpConfigException($"'{path}' cannot be read as PHP: {ex.Message}. Fix the file (php -l checks it) and try again.");
            }

            // A constant PHP may define differently per request (inside if/else, defined twice, from getenv()) is never guessed.
            var problems = new List<string>();
            foreach (var group in parsed.Definitions.Where(d => d.Name.StartsWith("WU_RUNCLOUD_", StringComparison.Ordinal)).GroupBy(d => d.Name))
            {
                if ((group.Key == WuServer && serverIdGiven) || (group.Key == WuApp && webAppIdGiven)) continue;
                var list = group.ToList();
                string lines = string.Join(", ", list.Select(d => d.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (list.Count > 1) problems.Add($"{group.Key} is defined {list.Count} times (lines {lines})");
                foreach (var d in list.Where(d => d.Conditional)) problems.Add($"{group.Key} is defined inside a conditional or block on line {d.Line}");
                foreach (var d in list.Where(d => d.Expression != null))
                {
                    problems.Add(d.Expression!.IndexOf("getenv", StringComparison.OrdinalIgnoreCase) >= 0
                        ? $"{group.Key} on line {d.Line} takes its value from {d.Expression} (the web server's environment, not this one)"
                        : $"{group.Key} on line {d.Line} has a value this reader cannot evaluate without PHP ({d.Expression})");
                }
            }

            if (problems.Count > 0)
            {
                throw new WpConfigException(
                    $"'{path}' does not define the RunCloud constants unambiguously: {string.Join("; ", problems)}. Nothing was connected: PHP decides such values "
                    + "per request, and guessing could point a scheduled sync at the wrong web app. Pass the values explicitly instead "
                    + "(-ServerId and -WebAppId for the ids; -Token, or the WU_RUNCLOUD_API_TOKEN environment variable, for the credentials), "
                    + "or define each constant once, unconditionally, with a literal value.");
            }

            string? Get(string name) => parsed.Values.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
            string source = $"wp-config.php at {path}";
            ResolvedCredential? resolved = FromValues(Get(WuToken), WuToken, Get(WuKey), Get(WuSecret), source);
            if (resolved == null)
            {
                throw new WpConfigException(
                    $"'{path}' defines none of the RunCloud credentials. Looked for define('{WuToken}', ...), or define('{WuKey}', ...) "
                    + $"together with define('{WuSecret}', ...), outside comments. Add them as the Ultimate Multisite RunCloud guide shows.");
            }

            try
            {
                resolved.ServerId = serverIdGiven ? null : ParseId(Get(WuServer), WuServer, source);
                resolved.WebAppId = webAppIdGiven ? null : ParseId(Get(WuApp), WuApp, source);
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
