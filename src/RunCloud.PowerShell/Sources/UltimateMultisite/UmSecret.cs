using System;
using System.Security.Cryptography;
using System.Text;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// The values UM 2.4.11+ keeps in wu_hosting_credential_* network options: "$wu_enc$" + base64(16-byte IV + C), where C
    /// is the base64 text PHP's openssl_encrypt($value, 'aes-256-cbc', $key, 0, $iv) returns (PKCS#7 padding) and $key is
    /// the raw SHA-256 of wp_salt('auth'); "$wu_sodium$" + base64(nonce + secretbox), which .NET cannot open without
    /// libsodium; anything else is the value itself. Decrypted in process; the value is never logged.
    /// </summary>
    internal static class UmSecret
    {
        public const string EncryptedPrefix = "$wu_enc$";
        public const string SodiumPrefix = "$wu_sodium$";

        public static bool IsEncrypted(string stored) => stored.StartsWith(EncryptedPrefix, StringComparison.Ordinal) || stored.StartsWith(SodiumPrefix, StringComparison.Ordinal);

        /// <param name="option">The option's name, for messages.</param>
        /// <param name="salt">wp_salt('auth'); needed only for $wu_enc$ values.</param>
        /// <exception cref="UmReadException">The value cannot be decrypted here (Failure = Credential).</exception>
        public static string Open(string stored, string option, Func<string>? salt)
        {
            if (stored.StartsWith(SodiumPrefix, StringComparison.Ordinal))
            {
                throw new UmReadException(UmReadFailure.Credential, option,
                    $"{option} is encrypted with libsodium ($wu_sodium$), which this module cannot open. Define the constant in wp-config.php (UM uses a defined constant first), or pass the credential another way (-Token, an environment variable).");
            }

            if (!stored.StartsWith(EncryptedPrefix, StringComparison.Ordinal)) return stored;
            if (salt == null) throw new UmReadException(UmReadFailure.Credential, option, $"{option} is encrypted and no wp_salt('auth') is known to decrypt it.");
            byte[] raw;
            byte[] cipher;
            try
            {
                raw = Convert.FromBase64String(stored.Substring(EncryptedPrefix.Length).Trim());
                if (raw.Length <= 16) throw new FormatException("too short");
                cipher = Convert.FromBase64String(Encoding.ASCII.GetString(raw, 16, raw.Length - 16));
                if (cipher.Length == 0 || cipher.Length % 16 != 0) throw new FormatException("not whole AES blocks");
            }
            catch (FormatException)
            {
                throw new UmReadException(UmReadFailure.Credential, option, $"{option} starts with {EncryptedPrefix} but is not base64(IV + base64 ciphertext) as UM writes it: the option is damaged. Save the credential again in UM's integration wizard.");
            }

            byte[] iv = new byte[16];
            Buffer.BlockCopy(raw, 0, iv, 0, 16);
            byte[] key;
            using (SHA256 sha = SHA256.Create()) key = sha.ComputeHash(Encoding.UTF8.GetBytes(salt()));
            try
            {
                using Aes aes = Aes.Create();
                aes.KeySize = 256;
                aes.Mode = CipherMode.CBC;
                aes.Padding = PaddingMode.PKCS7;
                aes.Key = key;
                aes.IV = iv;
                using ICryptoTransform decryptor = aes.CreateDecryptor();
                byte[] plain = decryptor.TransformFinalBlock(cipher, 0, cipher.Length);
                return new UTF8Encoding(false, true).GetString(plain);
            }
            catch (Exception ex) when (ex is CryptographicException || ex is ArgumentException)
            {
                throw new UmReadException(UmReadFailure.Credential, option,
                    $"{option} cannot be decrypted with wp_salt('auth') from this wp-config.php: AUTH_KEY/AUTH_SALT changed since UM stored it, or a plugin filters the salt. Define the constant in wp-config.php, or save the credential again in UM's integration wizard.");
            }
            finally
            {
                Array.Clear(key, 0, key.Length);
            }
        }
    }
}
