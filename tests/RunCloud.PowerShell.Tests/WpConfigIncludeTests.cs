using System;
using System.IO;
using System.Linq;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// wp-config.php read as PHP runs it: includes of literal paths are followed (relative to the including file, bounded,
    /// no loops); a constant that may come from a file this reader cannot follow is refused; $table_prefix and DB_HOST.
    /// </summary>
    public class WpConfigIncludeTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "rc-wpcfg-" + Guid.NewGuid().ToString("N").Substring(0, 10));

        public WpConfigIncludeTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, true);

        private string Write(string name, string php)
        {
            string path = Path.Combine(_dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, php);
            return path;
        }

        [Theory]
        [InlineData("require_once __DIR__ . '/secrets.php';")]
        [InlineData("require_once( __DIR__ . '/secrets.php' );")]
        [InlineData("include 'secrets.php';")]
        [InlineData("require dirname(__FILE__) . \"/secrets.php\";")]
        [InlineData("include_once(dirname( __FILE__ ) . '/secrets.php');")]
        public void AnIncludeBeforeTheDefinesIsFollowed(string include)
        {
            Write("secrets.php", "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok-from-include');\ndefine('WU_RUNCLOUD_SERVER_ID', 1001);\n");
            string config = Write("wp-config.php", "<?php\n" + include + "\ndefine('WU_RUNCLOUD_APP_ID', 2001);\nrequire_once ABSPATH . 'wp-settings.php';\n");
            ResolvedCredential r = CredentialResolver.FromWpConfig(config);
            Assert.Equal("Bearer tok-from-include", r.Credential.CreateHeader().ToString());
            Assert.Equal(1001, r.ServerId);
            Assert.Equal(2001, r.WebAppId);
        }

        [Fact]
        public void AConfigAboveTheWebRootIsFollowedThroughDirnameOfDir()
        {
            Write("private/rc.php", "<?php define('WU_RUNCLOUD_API_TOKEN', 'tok-above');");
            string config = Write("public/wp-config.php", "<?php\nrequire dirname(__DIR__) . '/private/rc.php';\n");
            Assert.Equal("Bearer tok-above", CredentialResolver.FromWpConfig(config).Credential.CreateHeader().ToString());
        }

        [Fact]
        public void AConstantDefinedInTheIncludeAndAgainInTheFileIsAmbiguous_NamingBothPlaces()
        {
            string secrets = Write("secrets.php", "<?php\ndefine('WU_RUNCLOUD_APP_ID', 2002);\n");
            string config = Write("wp-config.php", "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 't');\nrequire __DIR__ . '/secrets.php';\ndefine('WU_RUNCLOUD_APP_ID', 2001);\n");
            var ex = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(config));
            Assert.Contains("WU_RUNCLOUD_APP_ID is defined 2 times (line 2 of " + secrets + ", line 4)", ex.Message);
        }

        [Theory]
        [InlineData("require getenv('WP_SECRETS');", "not a literal")]
        [InlineData("if (file_exists(__DIR__ . '/local.php')) { include __DIR__ . '/local.php'; }", "conditional")]
        [InlineData("require $secrets;", "not a literal")]
        public void AnIncludeThisReaderCannotFollowRefusesTheConstantsItMayDefine(string include, string why)
        {
            string config = Write("wp-config.php", "<?php\n" + include + "\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok');\n");
            var ex = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(config));
            Assert.Contains("WU_RUNCLOUD_API_TOKEN may be defined by the file that ", ex.Message);
            Assert.Contains(" on line 2 loads", ex.Message);
            Assert.Contains(why, ex.Message);
            Assert.DoesNotContain("'tok'", ex.Message);
        }

        [Fact]
        public void AnUnfollowableIncludeAfterTheDefinesDoesNotMatter_ButAMissingIdMayComeFromIt()
        {
            string config = Write("wp-config.php", "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok');\ndefine('WU_RUNCLOUD_SERVER_ID', 1001);\ndefine('WU_RUNCLOUD_APP_ID', 2001);\nrequire getenv('X');\n");
            Assert.Equal(2001, CredentialResolver.FromWpConfig(config).WebAppId);
            string partial = Write("partial.php", "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok');\nrequire getenv('X');\n");
            var ex = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(partial));
            Assert.Contains("WU_RUNCLOUD_SERVER_ID may be defined", ex.Message);
            Assert.Equal("Bearer tok", CredentialResolver.FromWpConfig(partial, serverIdGiven: true, webAppIdGiven: true).Credential.CreateHeader().ToString());
        }

        [Fact]
        public void IncludeLoopsAndDepthAreBounded()
        {
            Write("a.php", "<?php require __DIR__ . '/b.php';");
            Write("b.php", "<?php require __DIR__ . '/a.php';");
            string config = Write("wp-config.php", "<?php require __DIR__ . '/a.php';");
            Assert.Contains("in a loop", Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(config)).Message);

            for (int i = 0; i < 12; i++) Write($"d{i}.php", $"<?php require __DIR__ . '/d{i + 1}.php';");
            Write("d12.php", "<?php define('WU_RUNCLOUD_API_TOKEN', 'deep');");
            string deep = Write("deep-config.php", "<?php require __DIR__ . '/d0.php';");
            Assert.Contains("more than 8 deep", Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(deep)).Message);
        }

        [Fact]
        public void AMissingRequiredFileIsAnError_AMissingIncludedOneOnlyANote()
        {
            string config = Write("wp-config.php", "<?php\nrequire __DIR__ . '/nope.php';\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok');");
            Assert.Contains("does not exist", Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(config)).Message);
            string soft = Write("soft.php", "<?php\ninclude __DIR__ . '/nope.php';\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok');");
            ResolvedCredential r = CredentialResolver.FromWpConfig(soft, true, true);
            Assert.Contains(r.Notes, n => n.Contains("nope.php") && n.Contains("does not exist"));
        }

        [Fact]
        public void TheBootstrapEndsTheConfiguration_AndAnIncludeWordInAStringIsNotAnInclude()
        {
            string config = Write("wp-config.php", "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 'require me;');\nrequire_once ABSPATH . 'wp-settings.php';\ndefine('WU_RUNCLOUD_API_TOKEN', 'after');\n");
            Assert.Equal("Bearer require me;", CredentialResolver.FromWpConfig(config, true, true).Credential.CreateHeader().ToString());
        }

        [Theory]
        [InlineData("$table_prefix = 'wp_';", "wp_", null)]
        [InlineData("$table_prefix  =  \"net2_\" ;", "net2_", null)]
        [InlineData("$table_prefix = 'a_';\n$table_prefix = 'b_';", null, "$table_prefix is set 2 times (lines 2, 3)")]
        [InlineData("if (WP_DEBUG) { $table_prefix = 'dev_'; }", null, "inside a conditional")]
        [InlineData("$table_prefix = getenv('PREFIX');", null, "cannot evaluate")]
        [InlineData("$table_prefix = \"{$x}_\";", null, "cannot evaluate")]
        [InlineData("", null, "$table_prefix is not set")]
        public void TablePrefixIsReadStrictly(string line, string? prefix, string? problem)
        {
            WpConfigFile config = WpConfigFile.Load(Write("wp-config.php", "<?php\n" + line + "\n"));
            if (prefix != null)
            {
                Assert.Equal(prefix, config.TablePrefix);
                Assert.Empty(config.TablePrefixProblems());
            }
            else
            {
                Assert.Contains(config.TablePrefixProblems(), p => p.Contains(problem!));
            }
        }

        [Fact]
        public void TheDatabaseSettingsComeFromTheConfigAndItsInclude()
        {
            Write("db.php", "<?php\ndefine('DB_PASSWORD', 'S3cret;pw');\n$table_prefix = 'net_';\n");
            WpConfigFile config = WpConfigFile.Load(Write("wp-config.php",
                "<?php\ndefine('DB_NAME', 'wp');\ndefine('DB_USER', 'wpuser');\ndefine('DB_HOST', 'db.internal:3307');\nrequire __DIR__ . '/db.php';\ndefine('SUBDOMAIN_INSTALL', true);\n"));
            UmDatabaseSettings s = UmDatabaseSettings.FromWpConfig(config);
            Assert.Equal("wp", s.Database);
            Assert.Equal("wpuser", s.User);
            Assert.Equal("S3cret;pw", s.Password);
            Assert.Equal("db.internal", s.Host);
            Assert.Equal(3307, s.Port);
            Assert.Null(s.Socket);
            Assert.Equal("net_", s.TablePrefix);
            Assert.True(s.SubdomainInstall);
            Assert.DoesNotContain("S3cret", s.Describe());
        }

        [Fact]
        public void TheDatabaseSettingsRefuseWhatAnUnfollowableIncludeMayDefine()
        {
            WpConfigFile config = WpConfigFile.Load(Write("wp-config.php",
                "<?php\nrequire getenv('DB_FILE');\ndefine('DB_NAME', 'wp');\ndefine('DB_USER', 'u');\ndefine('DB_PASSWORD', 'p');\ndefine('DB_HOST', 'h');\n$table_prefix = 'wp_';\n"));
            var ex = Assert.Throws<UmReadException>(() => UmDatabaseSettings.FromWpConfig(config));
            Assert.Equal(UmReadFailure.Configuration, ex.Failure);
            Assert.Contains("DB_PASSWORD may be defined by the file that require on line 2 loads (getenv('DB_FILE'))", ex.Message);
            Assert.DoesNotContain("$table_prefix", ex.Message);   // assigned after the include: the last assignment wins

            WpConfigFile after = WpConfigFile.Load(Write("after.php", "<?php\n$table_prefix = 'wp_';\nrequire getenv('DB_FILE');\n"));
            Assert.Contains(after.TablePrefixProblems(), p => p.Contains("$table_prefix may be set by the file that require on line 3 loads"));
        }

        [Fact]
        public void ATablePrefixWithOtherCharactersIsRefused()
        {
            WpConfigFile config = WpConfigFile.Load(Write("wp-config.php",
                "<?php\ndefine('DB_NAME', 'wp');\ndefine('DB_USER', 'u');\ndefine('DB_PASSWORD', 'p');\ndefine('DB_HOST', 'h');\n$table_prefix = 'wp`; DROP';\ndefine('SUBDOMAIN_INSTALL', false);\n"));
            Assert.Contains("only letters, digits and underscores", Assert.Throws<UmReadException>(() => UmDatabaseSettings.FromWpConfig(config)).Message);
        }

        [Theory]
        [InlineData("db.example.com", "db.example.com", 3306, null)]
        [InlineData("db.example.com:3307", "db.example.com", 3307, null)]
        [InlineData("127.0.0.1:/var/run/mysqld/mysqld.sock", "127.0.0.1", 3306, null)]   // mysqli: a socket only for localhost
        [InlineData("localhost:/tmp/my.sock", "localhost", 3306, "/tmp/my.sock")]
        [InlineData(":/tmp/my.sock", "localhost", 3306, "/tmp/my.sock")]
        [InlineData("[::1]:3310", "::1", 3310, null)]
        [InlineData("localhost:3308", "localhost", 3308, null)]
        public void DbHostIsParsedAsWordPressAndMysqliDo(string dbHost, string host, int port, string? socket)
        {
            var s = new UmDatabaseSettings();
            s.ParseHost(dbHost);
            Assert.Equal(host, s.Host);
            Assert.Equal(port, s.Port);
            Assert.Equal(socket, s.Socket);
        }

        [Fact]
        public void FindsWpConfigInTheRootOrOneFolderUp()
        {
            string root = Path.Combine(_dir, "site", "public");
            Directory.CreateDirectory(root);
            string above = Write("site/wp-config.php", "<?php");
            Assert.Equal(above, UmSources.FindWpConfig(root));
            string inRoot = Write("site/public/wp-config.php", "<?php");
            Assert.Equal(inRoot, UmSources.FindWpConfig(root));
            var ex = Assert.Throws<UmReadException>(() => UmSources.FindWpConfig(Path.Combine(_dir, "missing")));
            Assert.Contains("does not exist", ex.Message);
        }
    }
}
