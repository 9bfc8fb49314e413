using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Auth;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// The RunCloud constants UM 2.4.11+ keeps in the database when wp-config.php does not define them: network options
    /// wu_hosting_credential_&lt;CONSTANT&gt; of the main network, read in one query together with the salt options,
    /// decrypted in process (<see cref="UmSecret"/>). Says where each value came from; never the value.
    /// </summary>
    internal static class UmStoredCredentials
    {
        public const string OptionPrefix = "wu_hosting_credential_";

        /// <summary>The values found for <paramref name="constants"/>, keyed by constant name.</summary>
        /// <exception cref="UmReadException">The database cannot be read, or a value found cannot be decrypted.</exception>
        public static async Task<Dictionary<string, StoredCredentialValue>> ReadAsync(UmDatabaseSettings settings, IReadOnlyList<string> constants, CancellationToken cancellationToken)
        {
            var reader = new UmDatabaseReader(settings);
            WpConfigFile config = settings.Config ?? throw new InvalidOperationException("settings without their wp-config");
            long network = settings.MainNetworkId ?? 1;
            var keys = constants.Select(c => OptionPrefix + c).Concat(WpSalt.Options).ToList();
            Dictionary<string, string> options = await reader.ReadNetworkOptionsAsync(network, keys, cancellationToken).ConfigureAwait(false);
            var found = new Dictionary<string, StoredCredentialValue>(StringComparer.Ordinal);
            string? salt = null;
            string saltFrom = string.Empty;
            string Salt()
            {
                if (salt != null) return salt;
                var problems = WpSalt.Constants.SelectMany(c => config.Problems(c, mustBeKnown: false)).ToList();
                if (problems.Count > 0)
                {
                    throw new UmReadException(UmReadFailure.Credential, config.Path,
                        $"The RunCloud credential UM keeps in the database is encrypted with wp_salt('auth'), which '{config.Path}' does not define unambiguously: {string.Join("; ", problems)}. Define the constant in wp-config.php instead, or read through WP-CLI.");
                }

                var computed = WpSalt.Auth(config.Value, o => options.TryGetValue(o, out string? v) ? v : null);
                if (computed == null)
                {
                    throw new UmReadException(UmReadFailure.Credential, config.Path,
                        $"The RunCloud credential UM keeps in the database is encrypted with wp_salt('auth'), but '{config.Path}' defines no usable AUTH_KEY/AUTH_SALT (or SECRET_KEY/SECRET_SALT) and the network options auth_key/auth_salt are not there. Define the constant in wp-config.php instead.");
                }

                saltFrom = computed.Value.KeyFrom + " + " + computed.Value.SaltFrom;
                salt = computed.Value.Salt;
                return salt;
            }

            foreach (string constant in constants)
            {
                string option = OptionPrefix + constant;
                if (!options.TryGetValue(option, out string? stored) || string.IsNullOrWhiteSpace(stored)) continue;
                bool encrypted = UmSecret.IsEncrypted(stored);
                string value = UmSecret.Open(stored, option, Salt);
                string where = $"UM's network option {option} in {settings.Describe()}" + (encrypted ? $" (decrypted in process with wp_salt('auth') from {saltFrom})" : string.Empty);
                found[constant] = new StoredCredentialValue(value, where);
            }

            return found;
        }
    }
}
