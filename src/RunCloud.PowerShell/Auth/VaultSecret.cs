using System;
using System.Collections;
using System.Management.Automation;
using System.Security;

namespace RunCloud.PowerShell.Auth
{
    /// <summary>
    /// Turns what SecretManagement's Get-Secret returned into a credential: a SecureString (or string) is an API token;
    /// a PSCredential is an API key (user name) and secret (password); a hashtable holds Token, or ApiKey and ApiSecret.
    /// Messages name the vault, the secret's name and its type, never its value.
    /// </summary>
    internal static class VaultSecret
    {
        public static ResolvedCredential ToCredential(object? secret, string vault, string name)
        {
            string source = $"secret '{name}' of vault '{vault}'";
            object? value = secret is PSObject pso ? pso.BaseObject : secret;
            switch (value)
            {
                case SecureString token:
                    Require(token.Length > 0, source);
                    return new ResolvedCredential(RunCloudCredential.ForToken(token), source);
                case string text:
                    Require(text.Trim().Length > 0, source);
                    return new ResolvedCredential(RunCloudCredential.ForToken(SecureText.FromPlain(text.Trim())), source);
                case PSCredential credential:
                    CredentialResolver.ValidateApiKey(credential.UserName, $"the user name of {source}");
                    Require(credential.Password.Length > 0, source);
                    return new ResolvedCredential(RunCloudCredential.ForApiKey(credential.UserName, credential.Password), source);
                case IDictionary table:
                    object? tokenValue = Find(table, "Token");
                    if (tokenValue != null) return ToCredential(AsSecure(tokenValue, source), vault, name);
                    object? key = Find(table, "ApiKey");
                    object? apiSecret = Find(table, "ApiSecret");
                    if (key != null && apiSecret != null)
                    {
                        string keyText = (key is PSObject k ? k.BaseObject : key)?.ToString() ?? string.Empty;
                        CredentialResolver.ValidateApiKey(keyText, $"ApiKey of {source}");
                        SecureString s = AsSecure(apiSecret, source);
                        Require(s.Length > 0, source);
                        return new ResolvedCredential(RunCloudCredential.ForApiKey(keyText, s), source);
                    }

                    throw new CredentialNotFoundException($"The {source} is a hashtable without the keys this module reads. Store @{{ Token = <API token> }} or @{{ ApiKey = <API key>; ApiSecret = <API secret> }}.");
                case null:
                    throw new CredentialNotFoundException($"Get-Secret returned nothing for the {source}. Check the name with Get-SecretInfo -Vault '{vault}'.");
                default:
                    throw new CredentialNotFoundException($"The {source} is a {value.GetType().Name}, which this module cannot use. Store the API token as a string or SecureString, the API key and secret as a PSCredential (user name = API key), or a hashtable @{{ ApiKey = ...; ApiSecret = ... }}.");
            }
        }

        private static object? Find(IDictionary table, string key)
        {
            foreach (DictionaryEntry entry in table)
            {
                if (string.Equals(entry.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase)) return entry.Value;
            }

            return null;
        }

        private static SecureString AsSecure(object value, string source)
        {
            object v = value is PSObject p ? p.BaseObject : value;
            if (v is SecureString s) return s;
            if (v is string text) return SecureText.FromPlain(text.Trim());
            throw new CredentialNotFoundException($"A value in the {source} is a {v.GetType().Name}; use a string or a SecureString.");
        }

        private static void Require(bool ok, string source)
        {
            if (!ok) throw new CredentialNotFoundException($"The {source} is empty. Store the API token (or key and secret) from RunCloud > Settings > API Management in it.");
        }
    }
}
