using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The RunCloud credentials UM 2.4.11+ keeps in wu_hosting_credential_* network options: wp_salt('auth') as WordPress
    /// computes it, $wu_enc$ values made by openssl exactly as PHP's openssl_encrypt(..., 0, $iv) makes them, $wu_sodium$
    /// refused clearly, and Connect-RunCloud's resolver reading them from a real MariaDB when wp-config.php lacks the constants.
    /// </summary>
    [Collection(MariaDbCollection.Name)]
    public class UmStoredCredentialTests
    {
        private const string AuthKey = "k8#Jq!auth-key-of-the-network-XpL0";
        private const string AuthSalt = "s@lt/of+the=network;auth-9Zt";
        private readonly MariaDbFixture _db;

        public UmStoredCredentialTests(MariaDbFixture db) => _db = db;

        /// <summary>"$wu_enc$" + base64(IV + openssl's base64 ciphertext): what UM stores.</summary>
        internal static string EncryptWithOpenSsl(string plain, string salt)
        {
            byte[] key;
            using (SHA256 sha = SHA256.Create()) key = sha.ComputeHash(Encoding.UTF8.GetBytes(salt));
            byte[] iv = new byte[16];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(iv);
            var info = new ProcessStartInfo("openssl", $"enc -aes-256-cbc -K {Hex(key)} -iv {Hex(iv)} -a -A")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process p = Process.Start(info)!;
            p.StandardInput.Write(plain);
            p.StandardInput.Close();
            string b64 = p.StandardOutput.ReadToEnd().Trim();
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "openssl failed: " + err);
            byte[] raw = iv.Concat(Encoding.ASCII.GetBytes(b64)).ToArray();
            return UmSecret.EncryptedPrefix + Convert.ToBase64String(raw);
        }

        private static string Hex(byte[] b) => string.Concat(b.Select(x => x.ToString("x2")));

        [Fact]
        public void DecryptsWhatOpenSslEncrypted_AsPhpsOpensslEncryptWithOptionsZero()
        {
            string salt = AuthKey + AuthSalt;
            string stored = EncryptWithOpenSsl("rc-token-ÄÖ-0123456789abcdef", salt);
            Assert.Equal("rc-token-ÄÖ-0123456789abcdef", UmSecret.Open(stored, "wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", () => salt));
        }

        [Fact]
        public void AWrongSaltADamagedValueAndSodiumAreClearErrors_PlainValuesPassAsTheyAre()
        {
            string stored = EncryptWithOpenSsl("tok", "right-salt");
            var wrong = Assert.Throws<UmReadException>(() => UmSecret.Open(stored, "opt", () => "wrong-salt"));
            Assert.Equal(UmReadFailure.Credential, wrong.Failure);
            Assert.Contains("AUTH_KEY/AUTH_SALT changed", wrong.Message);
            Assert.Contains("damaged", Assert.Throws<UmReadException>(() => UmSecret.Open("$wu_enc$!!notbase64", "opt", () => "s")).Message);
            var sodium = Assert.Throws<UmReadException>(() => UmSecret.Open("$wu_sodium$AAAA", "wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", () => "s"));
            Assert.Contains("libsodium", sodium.Message);
            Assert.Contains("Define the constant in wp-config.php", sodium.Message);
            Assert.Equal("1001", UmSecret.Open("1001", "opt", null));
        }

        [Theory]
        [InlineData("AK", "AS", null, null, null, null, "AKAS")]
        [InlineData(null, null, "SK", "SS", null, null, "SKSS")]                      // SECRET_KEY/SECRET_SALT fallback
        [InlineData("AK", null, "SK", "SS", null, null, "AKSS")]
        [InlineData("put your unique phrase here", "AS", "SK", null, null, null, "SKAS")]
        [InlineData("0", "AS", null, null, "optkey", null, "optkeyAS")]              // '0' is false in PHP: the network option
        [InlineData("dup", "dup", null, null, "optkey", "optsalt", "optkeyoptsalt")] // a value used twice is not a salt
        [InlineData(null, null, null, null, "optkey", "optsalt", "optkeyoptsalt")]
        [InlineData(null, null, null, null, null, "optsalt", null)]                  // WordPress would generate a new key
        public void WpSaltAuthFollowsWordPress(string? authKey, string? authSalt, string? secretKey, string? secretSalt, string? optKey, string? optSalt, string? expected)
        {
            string? C(string n) => n switch { "AUTH_KEY" => authKey, "AUTH_SALT" => authSalt, "SECRET_KEY" => secretKey, "SECRET_SALT" => secretSalt, _ => null };
            string? O(string n) => n == "auth_key" ? optKey : n == "auth_salt" ? optSalt : null;
            Assert.Equal(expected, WpSalt.Auth(C, O)?.Salt);
        }

        private string NetworkWithStoredCredentials(string prefix, string extraConstants, params (string Key, string Value)[] options)
        {
            _db.Server.ExecuteAsRoot(
                $"DROP TABLE IF EXISTS `{prefix}site`, `{prefix}sitemeta`, `{prefix}blogs`;" +
                $"CREATE TABLE `{prefix}site` (id bigint NOT NULL AUTO_INCREMENT, domain varchar(200) NOT NULL DEFAULT '', path varchar(100) NOT NULL DEFAULT '', PRIMARY KEY (id));" +
                $"CREATE TABLE `{prefix}sitemeta` (meta_id bigint NOT NULL AUTO_INCREMENT, site_id bigint NOT NULL DEFAULT 0, meta_key varchar(255), meta_value longtext, PRIMARY KEY (meta_id));" +
                $"INSERT INTO `{prefix}site` (id, domain, path) VALUES (1, 'cred-network.com', '/');", MariaDbFixture.Database);
            foreach (var (key, value) in options)
            {
                using var c = new MySqlConnector.MySqlConnection(_db.Server.RootConnectionString(MariaDbFixture.Database));
                c.Open();
                using var cmd = new MySqlConnector.MySqlCommand($"INSERT INTO `{prefix}sitemeta` (site_id, meta_key, meta_value) VALUES (1, @k, @v)", c);
                cmd.Parameters.AddWithValue("@k", key);
                cmd.Parameters.AddWithValue("@v", value);
                cmd.ExecuteNonQuery();
            }

            string root = _db.WordPressRoot(prefix, extra: extraConstants);
            return Path.Combine(root, "wp-config.php");
        }

        private static ResolvedCredential Resolve(string config, bool serverIdGiven = false, bool webAppIdGiven = false) =>
            CredentialResolver.FromWpConfig(config, serverIdGiven, webAppIdGiven, (file, missing) =>
            {
                UmDatabaseSettings settings = UmDatabaseSettings.FromWpConfig(file);
                return UmStoredCredentials.ReadAsync(settings, missing, CancellationToken.None).GetAwaiter().GetResult();
            });

        [Fact]
        public void TheResolverReadsEncryptedAndPlainOptionsWhenTheConstantsAreAbsent_SayingWhereNeverWhat()
        {
            string salts = $"define('AUTH_KEY', '{AuthKey}');\ndefine('AUTH_SALT', '{AuthSalt}');\n";
            string config = NetworkWithStoredCredentials("cred1_", salts,
                ("wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", EncryptWithOpenSsl("token-from-the-database", AuthKey + AuthSalt)),
                ("wu_hosting_credential_WU_RUNCLOUD_SERVER_ID", EncryptWithOpenSsl("1001", AuthKey + AuthSalt)),
                ("wu_hosting_credential_WU_RUNCLOUD_APP_ID", "2001"));
            ResolvedCredential r = Resolve(config);
            Assert.Equal("Bearer token-from-the-database", r.Credential.CreateHeader().ToString());
            Assert.Equal(1001, r.ServerId);
            Assert.Equal(2001, r.WebAppId);
            Assert.Contains("wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", r.Source);
            Assert.Contains("decrypted in process with wp_salt('auth') from AUTH_KEY + AUTH_SALT", r.Source);
            Assert.DoesNotContain("token-from-the-database", r.Source + string.Join(" ", r.Notes));
            Assert.DoesNotContain(MariaDbServer.Password, r.Source + string.Join(" ", r.Notes));
        }

        [Fact]
        public void ADefinedConstantWinsOverTheDatabase()
        {
            string config = NetworkWithStoredCredentials("cred2_", "define('WU_RUNCLOUD_API_TOKEN', 'token-from-wp-config');\n",
                ("wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", "token-from-the-database"),
                ("wu_hosting_credential_WU_RUNCLOUD_SERVER_ID", "1001"),
                ("wu_hosting_credential_WU_RUNCLOUD_APP_ID", "2001"));
            ResolvedCredential r = Resolve(config);
            Assert.Equal("Bearer token-from-wp-config", r.Credential.CreateHeader().ToString());
            Assert.Equal(1001, r.ServerId);
        }

        [Fact]
        public void TheSecretKeyFallbackAndTheSaltOptionsDecryptToo()
        {
            // No AUTH_KEY: SECRET_KEY is the key half; no AUTH_SALT or SECRET_SALT: the network option auth_salt.
            string config = NetworkWithStoredCredentials("cred3_", "define('SECRET_KEY', 'the-secret-key');\n",
                ("auth_salt", "salt-from-the-options"),
                ("wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", EncryptWithOpenSsl("tok-3", "the-secret-key" + "salt-from-the-options")));
            ResolvedCredential r = Resolve(config, true, true);
            Assert.Equal("Bearer tok-3", r.Credential.CreateHeader().ToString());
            Assert.Contains("SECRET_KEY + the network option auth_salt", r.Source);
        }

        [Fact]
        public void ASodiumValueIsAClearError()
        {
            string config = NetworkWithStoredCredentials("cred4_", string.Empty, ("wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", "$wu_sodium$" + Convert.ToBase64String(new byte[60])));
            var ex = Assert.Throws<UmReadException>(() => Resolve(config, true, true));
            Assert.Contains("libsodium", ex.Message);
        }

        [Fact]
        public void NothingStoredIsTheUsualErrorNamingBothPlaces()
        {
            string config = NetworkWithStoredCredentials("cred5_", string.Empty);
            var ex = Assert.Throws<WpConfigException>(() => Resolve(config, true, true));
            Assert.Contains("defines none of the RunCloud credentials", ex.Message);
            Assert.Contains("wu_hosting_credential_WU_RUNCLOUD_API_TOKEN", ex.Message);
        }
    }
}
