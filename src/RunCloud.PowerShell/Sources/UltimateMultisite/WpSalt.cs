using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// WordPress's wp_salt('auth') (pluggable.php), without PHP: key + salt, where each is AUTH_KEY / AUTH_SALT when that
    /// constant is defined, true in PHP's sense (not '' or '0'), not "put your unique phrase here" and not the value of
    /// another of the ten salt constants; otherwise SECRET_KEY / SECRET_SALT under the same conditions; otherwise the
    /// network options auth_key / auth_salt. A plugin's 'salt' filter would change it: then only WP-CLI can decrypt.
    /// </summary>
    internal static class WpSalt
    {
        public static readonly string[] Constants =
        {
            "AUTH_KEY", "AUTH_SALT", "SECURE_AUTH_KEY", "SECURE_AUTH_SALT", "LOGGED_IN_KEY", "LOGGED_IN_SALT",
            "NONCE_KEY", "NONCE_SALT", "SECRET_KEY", "SECRET_SALT",
        };

        public const string SamplePhrase = "put your unique phrase here";

        /// <summary>The network options wp_salt('auth') may fall back to.</summary>
        public static readonly string[] Options = { "auth_key", "auth_salt" };

        /// <param name="constant">The literal value of a defined constant, or null when it is not defined.</param>
        /// <param name="siteOption">A network option's value, or null when absent.</param>
        /// <returns>The salt and, for the log, where each half came from; null when a half would be generated anew by WordPress (nothing stored could be decrypted with it).</returns>
        public static (string Salt, string KeyFrom, string SaltFrom)? Auth(Func<string, string?> constant, Func<string, string?> siteOption)
        {
            var seen = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (string name in Constants)
            {
                string? value = constant(name);
                if (value == null) continue;
                seen[value] = seen.ContainsKey(value);
            }

            seen[SamplePhrase] = true;
            bool Usable(string? v) => v != null && v.Length > 0 && v != "0" && !(seen.TryGetValue(v, out bool dup) && dup);

            string key = string.Empty, salt = string.Empty, keyFrom = string.Empty, saltFrom = string.Empty;
            if (Usable(constant("SECRET_KEY")))
            {
                key = constant("SECRET_KEY")!;
                keyFrom = "SECRET_KEY";
            }

            if (Usable(constant("SECRET_SALT")))
            {
                salt = constant("SECRET_SALT")!;
                saltFrom = "SECRET_SALT";
            }

            if (Usable(constant("AUTH_KEY")))
            {
                key = constant("AUTH_KEY")!;
                keyFrom = "AUTH_KEY";
            }
            else if (key.Length == 0)
            {
                key = siteOption("auth_key") ?? string.Empty;
                keyFrom = "the network option auth_key";
                if (key.Length == 0 || key == "0") return null;
            }

            if (Usable(constant("AUTH_SALT")))
            {
                salt = constant("AUTH_SALT")!;
                saltFrom = "AUTH_SALT";
            }
            else if (salt.Length == 0)
            {
                salt = siteOption("auth_salt") ?? string.Empty;
                saltFrom = "the network option auth_salt";
                if (salt.Length == 0 || salt == "0") return null;
            }

            return (key + salt, keyFrom, saltFrom);
        }

        /// <summary>True when the salt needs a network option (no usable AUTH_/SECRET_ constant for one half).</summary>
        public static bool NeedsOptions(Func<string, string?> constant) => Auth(constant, _ => null) == null;

        internal static IEnumerable<string> All => Constants.Concat(Options);
    }
}
