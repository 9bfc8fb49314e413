using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Tests
{
    public class WpConfigReaderTests
    {
        private static Dictionary<string, string> Read(string php) => WpConfigReader.Parse(php).Values;

        [Fact]
        public void ReadsSingleAndDoubleQuotesWithAnySpacing()
        {
            var v = Read("<?php\ndefine('WU_RUNCLOUD_API_KEY','k1');\ndefine( \"WU_RUNCLOUD_API_SECRET\" ,  \"s1\" ) ;\ndefine (\t'WU_RUNCLOUD_SERVER_ID' ,\n  '1001');\n");
            Assert.Equal("k1", v["WU_RUNCLOUD_API_KEY"]);
            Assert.Equal("s1", v["WU_RUNCLOUD_API_SECRET"]);
            Assert.Equal("1001", v["WU_RUNCLOUD_SERVER_ID"]);
        }

        [Fact]
        public void ReadsBareNumbersAndBooleans()
        {
            var v = Read("define('WU_RUNCLOUD_SERVER_ID', 1001);\ndefine('WU_RUNCLOUD_APP_ID',2001 );\ndefine('WP_DEBUG', false);");
            Assert.Equal("1001", v["WU_RUNCLOUD_SERVER_ID"]);
            Assert.Equal("2001", v["WU_RUNCLOUD_APP_ID"]);
            Assert.Equal("false", v["WP_DEBUG"]);
        }

        [Theory]
        [InlineData("// define('WU_RUNCLOUD_API_KEY', 'commented');")]
        [InlineData("# define('WU_RUNCLOUD_API_KEY', 'commented');")]
        [InlineData("/* define('WU_RUNCLOUD_API_KEY', 'commented'); */")]
        [InlineData("/*\n * define('WU_RUNCLOUD_API_KEY', 'commented');\n */")]
        public void CommentedOutDefinesAreIgnored(string line)
        {
            var v = Read("<?php\n" + line + "\ndefine('WU_RUNCLOUD_API_KEY', 'real');\n");
            Assert.Equal("real", v["WU_RUNCLOUD_API_KEY"]);
            Assert.False(WpConfigReader.Parse("<?php\n" + line + "\n").Values.ContainsKey("WU_RUNCLOUD_API_KEY"));
        }

        [Fact]
        public void TrailingCommentsAfterADefineAreIgnored()
        {
            var v = Read("define('WU_RUNCLOUD_API_KEY', 'k'); // the key\ndefine('WU_RUNCLOUD_API_SECRET', 's'); # the secret\ndefine('WU_RUNCLOUD_APP_ID', /* app */ '7');");
            Assert.Equal("k", v["WU_RUNCLOUD_API_KEY"]);
            Assert.Equal("s", v["WU_RUNCLOUD_API_SECRET"]);
            Assert.Equal("7", v["WU_RUNCLOUD_APP_ID"]);
        }

        [Theory]
        [InlineData("'ab#cd//ef/*gh*/'", "ab#cd//ef/*gh*/")]
        [InlineData("\"ab#cd//ef\"", "ab#cd//ef")]
        [InlineData("'it\\'s'", "it's")]
        [InlineData("\"say \\\"hi\\\" \\$x\"", "say \"hi\" $x")]
        [InlineData("'back\\\\slash'", "back\\slash")]
        public void CommentCharactersAndEscapesInsideStringsAreKept(string literal, string expected)
        {
            var v = Read("define('WU_RUNCLOUD_API_SECRET', " + literal + ");");
            Assert.Equal(expected, v["WU_RUNCLOUD_API_SECRET"]);
        }

        [Fact]
        public void ApostropheInACommentDoesNotOpenAString()
        {
            var v = Read("// don't forget the key\ndefine('WU_RUNCLOUD_API_KEY', 'k');\n# it's here\ndefine('WU_RUNCLOUD_API_SECRET', 's');");
            Assert.Equal("k", v["WU_RUNCLOUD_API_KEY"]);
            Assert.Equal("s", v["WU_RUNCLOUD_API_SECRET"]);
        }

        [Fact]
        public void DuplicatesKeepTheFirstAndAreReported()
        {
            var r = WpConfigReader.Parse("define('WU_RUNCLOUD_API_KEY', 'first');\ndefine('WU_RUNCLOUD_API_KEY', 'second');");
            Assert.Equal("first", r.Values["WU_RUNCLOUD_API_KEY"]);
            Assert.Equal(new[] { "WU_RUNCLOUD_API_KEY" }, r.Duplicates);
        }

        [Theory]
        [InlineData("define('WU_RUNCLOUD_API_KEY', 'never closed);", "never closed")]
        [InlineData("define('WU_RUNCLOUD_API_KEY', \"never closed);", "never closed")]
        [InlineData("/* define('WU_RUNCLOUD_API_KEY', 'x');", "never closed")]
        public void UnterminatedStringOrCommentIsAFormatException(string php, string words)
        {
            var ex = Assert.Throws<FormatException>(() => WpConfigReader.Parse("<?php\n" + php));
            Assert.Contains(words, ex.Message);
            Assert.Contains("line 2", ex.Message);
        }

        [Fact]
        public void ARealisticWpConfigIsRead()
        {
            string php = @"<?php
/**
 * The base configuration for WordPress
 * define('WU_RUNCLOUD_API_KEY', 'doc-example');
 */
define( 'DB_NAME', 'wp' );
define( 'AUTH_KEY', 'x#y//z' );
$table_prefix = 'wp_';
// define('WU_RUNCLOUD_API_TOKEN', 'old-token');
define('WU_RUNCLOUD_API_TOKEN', ""tok'en"");
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
";
            var v = Read(php);
            Assert.Equal("tok'en", v["WU_RUNCLOUD_API_TOKEN"]);
            Assert.Equal("x#y//z", v["AUTH_KEY"]);
            Assert.False(v.ContainsKey("WU_RUNCLOUD_API_KEY"));
        }
    }

    public class CredentialResolverTests
    {
        private static Func<string, string?> Env(params (string Name, string Value)[] vars)
        {
            var map = vars.ToDictionary(v => v.Name, v => v.Value);
            return name => map.TryGetValue(name, out string? v) ? v : null;
        }

        [Fact]
        public void RunCloudApiTokenWinsOverEverything()
        {
            var r = CredentialResolver.FromEnvironment(Env(("RUNCLOUD_API_TOKEN", "tok1"), ("WU_RUNCLOUD_API_TOKEN", "tok2"),
                ("WU_RUNCLOUD_API_KEY", "key1"), ("WU_RUNCLOUD_API_SECRET", "sec1")));
            Assert.Equal(RunCloudAuthenticationKind.Token, r.Credential.Kind);
            Assert.Equal("Bearer tok1", r.Credential.CreateHeader().ToString());
            Assert.Contains("RUNCLOUD_API_TOKEN", r.Source);
            Assert.DoesNotContain("tok1", r.Source + string.Join(" ", r.Notes));
        }

        [Fact]
        public void WuTokenWinsOverKeyAndSecret()
        {
            var r = CredentialResolver.FromEnvironment(Env(("WU_RUNCLOUD_API_TOKEN", "tok2"), ("WU_RUNCLOUD_API_KEY", "key1"), ("WU_RUNCLOUD_API_SECRET", "sec1")));
            Assert.Equal("Bearer tok2", r.Credential.CreateHeader().ToString());
            Assert.StartsWith("WU_RUNCLOUD_API_TOKEN", r.Source);
            Assert.Contains(r.Notes, n => n.Contains("token wins"));
        }

        [Fact]
        public void KeyAndSecretWithIds()
        {
            var r = CredentialResolver.FromEnvironment(Env(("WU_RUNCLOUD_API_KEY", " key1 "), ("WU_RUNCLOUD_API_SECRET", "sec1"),
                ("WU_RUNCLOUD_SERVER_ID", "1001"), ("WU_RUNCLOUD_APP_ID", "2001")));
            Assert.Equal(RunCloudAuthenticationKind.ApiKey, r.Credential.Kind);
            Assert.Equal("Basic", r.Credential.CreateHeader().Scheme);
            Assert.Equal(1001, r.ServerId);
            Assert.Equal(2001, r.WebAppId);
        }

        [Fact]
        public void KeyWithoutSecretIsAClearError()
        {
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialResolver.FromEnvironment(Env(("WU_RUNCLOUD_API_KEY", "key1"))));
            Assert.Contains("WU_RUNCLOUD_API_SECRET is not", ex.Message);
            ex = Assert.Throws<CredentialNotFoundException>(() => CredentialResolver.FromEnvironment(Env(("WU_RUNCLOUD_API_SECRET", "s"))));
            Assert.Contains("WU_RUNCLOUD_API_KEY is not", ex.Message);
            Assert.DoesNotContain("'s'", ex.Message);
        }

        [Fact]
        public void NothingFoundListsEveryNameLookedFor()
        {
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialResolver.FromEnvironment(Env(("WU_RUNCLOUD_API_KEY", "  "))));
            foreach (string name in new[] { "RUNCLOUD_API_TOKEN", "WU_RUNCLOUD_API_TOKEN", "WU_RUNCLOUD_API_KEY", "WU_RUNCLOUD_API_SECRET" })
            {
                Assert.Contains(name, ex.Message);
            }
        }

        [Theory]
        [InlineData("abc")]
        [InlineData("0")]
        [InlineData("-5")]
        [InlineData("12.5")]
        [InlineData("99999999999999999999999")]
        public void BadIdsAreRefusedNamingTheVariable(string id)
        {
            var ex = Assert.Throws<InvalidIdException>(() => CredentialResolver.FromEnvironment(Env(("RUNCLOUD_API_TOKEN", "t"), ("WU_RUNCLOUD_SERVER_ID", id))));
            Assert.Equal("WU_RUNCLOUD_SERVER_ID", ex.Variable);
            Assert.Contains("WU_RUNCLOUD_SERVER_ID", ex.Message);
            Assert.Contains("positive whole number", ex.Message);
        }

        [Theory]
        [InlineData("key with space")]
        [InlineData("key:colon")]
        [InlineData("key\nnewline")]
        public void BadApiKeysAreRefused(string key)
        {
            Assert.Throws<CredentialNotFoundException>(() => CredentialResolver.ValidateApiKey(key, "-ApiKey"));
        }

        private static string WriteTemp(string php)
        {
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wp-config-" + Guid.NewGuid().ToString("N") + ".php");
            System.IO.File.WriteAllText(path, php);
            return path;
        }

        private const string Creds = "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 'tok-from-file');\n";

        [Theory]
        [InlineData("if (getenv('WP_ENV') === 'staging') {\n  define('WU_RUNCLOUD_APP_ID', 2002);\n} else {\n  define('WU_RUNCLOUD_APP_ID', 2001);\n}\n", "lines 4, 6")]
        [InlineData("if ($_SERVER['HTTP_HOST'] === 'staging.example.com')\n  define('WU_RUNCLOUD_APP_ID', 2002);\n", "line 4")]
        [InlineData("if (WP_DEBUG):\n  define('WU_RUNCLOUD_APP_ID', 2002);\nendif;\n", "line 4")]
        [InlineData("define('WU_RUNCLOUD_APP_ID', 2001);\ndefine('WU_RUNCLOUD_APP_ID', 9);\n", "lines 3, 4")]
        [InlineData("define('WU_RUNCLOUD_APP_ID', getenv('RC_APP'));\n", "getenv('RC_APP')")]
        [InlineData("define('WU_RUNCLOUD_APP_ID', $staging ? 2002 : 2001);\n", "cannot evaluate")]
        public void WpConfig_AmbiguousIds_AreAnErrorNamingTheLines_UnlessTheIdsArePassed(string tail, string expected)
        {
            string path = WriteTemp(Creds + tail);
            try
            {
                var ex = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(path));
                Assert.Contains("WU_RUNCLOUD_APP_ID", ex.Message);
                Assert.True(ex.Message.IndexOf(expected, StringComparison.Ordinal) >= 0, ex.Message);
                Assert.Contains("-WebAppId", ex.Message);
                Assert.DoesNotContain("tok-from-file", ex.Message);

                var r = CredentialResolver.FromWpConfig(path, serverIdGiven: false, webAppIdGiven: true);
                Assert.Null(r.WebAppId);
                Assert.Equal("Bearer tok-from-file", r.Credential.CreateHeader().ToString());
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void WpConfig_ConstIsRecognised_AndOtherConditionalsDoNotMatter()
        {
            string path = WriteTemp(Creds + "const WU_RUNCLOUD_SERVER_ID = 1001;\nconst WU_RUNCLOUD_APP_ID = '2001';\nif (WP_DEBUG) { define('SAVEQUERIES', true); }\n$x = ['a' => '{'];\n");
            try
            {
                var r = CredentialResolver.FromWpConfig(path);
                Assert.Equal(1001, r.ServerId);
                Assert.Equal(2001, r.WebAppId);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void WpConfig_CredentialFromGetenv_IsRefusedClearly()
        {
            string path = WriteTemp("<?php\ndefine('WU_RUNCLOUD_API_TOKEN', getenv('RC_TOKEN'));\n");
            try
            {
                var ex = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(path));
                Assert.Contains("WU_RUNCLOUD_API_TOKEN on line 2 takes its value from getenv('RC_TOKEN')", ex.Message);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void WpConfigTokenWinsAndDuplicatesAreRefused()
        {
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wp-config-" + Guid.NewGuid().ToString("N") + ".php");
            System.IO.File.WriteAllText(path, "<?php\ndefine('WU_RUNCLOUD_API_KEY', 'k');\ndefine('WU_RUNCLOUD_API_SECRET', 's');\n" +
                "define('WU_RUNCLOUD_API_TOKEN', 'tok-from-file');\ndefine('WU_RUNCLOUD_APP_ID', '2001');\ndefine('WU_RUNCLOUD_APP_ID', '9');\n");
            try
            {
                var ex = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(path));
                Assert.Contains("WU_RUNCLOUD_APP_ID is defined 2 times (lines 5, 6)", ex.Message);
                var r = CredentialResolver.FromWpConfig(path, webAppIdGiven: true);
                Assert.Equal("Bearer tok-from-file", r.Credential.CreateHeader().ToString());
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        [Fact]
        public void WpConfigErrors()
        {
            var missing = Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig("/nonexistent/wp-config.php"));
            Assert.Contains("/nonexistent/wp-config.php", missing.Message);
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wp-config-" + Guid.NewGuid().ToString("N") + ".php");
            try
            {
                System.IO.File.WriteAllText(path, "<?php\ndefine('WU_RUNCLOUD_API_KEY', 'unterminated);\n");
                Assert.Contains("never closed", Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(path)).Message);
                System.IO.File.WriteAllText(path, "<?php\ndefine('WU_RUNCLOUD_API_TOKEN', 'x');\ndefine('WU_RUNCLOUD_APP_ID', 'shop');\n");
                Assert.Contains("WU_RUNCLOUD_APP_ID", Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(path)).Message);
                System.IO.File.WriteAllText(path, "<?php\n// define('WU_RUNCLOUD_API_TOKEN', 'x');\n");
                Assert.Contains("defines none", Assert.Throws<WpConfigException>(() => CredentialResolver.FromWpConfig(path)).Message);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }
    }

    public class BaseUriTests
    {
        private static (Uri Uri, string? Version) Resolve(string? baseUri, string? version = null)
        {
            Uri uri = RunCloudConnection.ResolveBaseUri(baseUri, ref version);
            return (uri, version);
        }

        [Theory]
        [InlineData(null, null, "https://manage.runcloud.io/api/v3/", "v3")]
        [InlineData(null, "v2", "https://manage.runcloud.io/api/v2/", "v2")]
        [InlineData("https://manage.runcloud.io/api/v2", null, "https://manage.runcloud.io/api/v2/", "v2")]
        [InlineData("https://manage.runcloud.io/api/v3/", null, "https://manage.runcloud.io/api/v3/", "v3")]
        [InlineData("https://manage.runcloud.io/api/v2/", "V2", "https://manage.runcloud.io/api/v2/", "v2")]
        [InlineData("http://127.0.0.1:8080", "v2", "http://127.0.0.1:8080/api/v2/", "v2")]
        [InlineData("http://[::1]:8080/", null, "http://[::1]:8080/api/v3/", "v3")]
        [InlineData("http://localhost:5000/api/v3", null, "http://localhost:5000/api/v3/", "v3")]
        public void Accepted(string? input, string? version, string expected, string expectedVersion)
        {
            var (uri, v) = Resolve(input, version);
            Assert.Equal(expected, uri.AbsoluteUri);
            Assert.Equal(expectedVersion, v);
        }

        [Theory]
        [InlineData("http://manage.runcloud.io/", "HTTPS")]
        [InlineData("http://127.0.0.1.evil.example/", "HTTPS")]
        [InlineData("http://10.0.0.5/", "HTTPS")]
        [InlineData("ftp://manage.runcloud.io/", "http(s)")]
        [InlineData("manage.runcloud.io", "http(s)")]
        [InlineData("https://manage.runcloud.io/api/v9", "API version")]
        [InlineData("https://manage.runcloud.io/?x=1", "query")]
        public void Refused(string input, string words)
        {
            var ex = Assert.Throws<ArgumentException>(() => Resolve(input));
            Assert.Contains(words, ex.Message);
        }

        [Fact]
        public void VersionInThePathMustMatchApiVersion()
        {
            var ex = Assert.Throws<ArgumentException>(() => Resolve("https://manage.runcloud.io/api/v2", "v3"));
            Assert.Contains("v2", ex.Message);
            Assert.Contains("v3", ex.Message);
        }
    }

    public class DomainNameTests
    {
        [Theory]
        [InlineData("shop.example.com", "shop.example.com")]
        [InlineData("SHOP.Example.COM", "shop.example.com")]
        [InlineData("  shop.example.com  ", "shop.example.com")]
        [InlineData("shop.example.com.", "shop.example.com")]
        [InlineData("*.example.com", "*.example.com")]
        [InlineData("*.Shop.Example.com.", "*.shop.example.com")]
        [InlineData("bücher.example", "xn--bcher-kva.example")]
        [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
        [InlineData("münchen.de", "xn--mnchen-3ya.de")]
        [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
        [InlineData("a-b.c-d.example", "a-b.c-d.example")]
        [InlineData("123.example.com", "123.example.com")]
        [InlineData("www.shop.example.com", "www.shop.example.com")]
        [InlineData("a.co", "a.co")]
        public void Valid(string input, string expected)
        {
            Assert.True(DomainName.TryNormalize(input, out string normalized, out string error), error);
            Assert.Equal(expected, normalized);
            Assert.Equal(string.Empty, error);
        }

        [Fact]
        public void LongestLegalNameAndLabelAreValid()
        {
            string label63 = new string('a', 63);
            Assert.True(DomainName.TryNormalize(label63 + ".example.com", out _, out string e1), e1);
            string name253 = string.Join(".", new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61)); // 63*3+61+3 = 253
            Assert.Equal(253, name253.Length);
            Assert.True(DomainName.TryNormalize(name253, out string n, out string e2), e2);
            Assert.Equal(name253, n);
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("   ", "empty")]
        [InlineData(null, "empty")]
        [InlineData("https://shop.example.com/", "URL")]
        [InlineData("http://shop.example.com/path?q=1", "URL")]
        [InlineData("shop.example.com/path", "path")]
        [InlineData("shop.example.com?x=1", "query")]
        [InlineData("shop.example.com#frag", "path or query")]
        [InlineData("shop.example.com:8080", "port")]
        [InlineData("shop..example.com", "empty label")]
        [InlineData(".shop.example.com", "empty label")]
        [InlineData("shop.example.com..", "empty label")]
        [InlineData("203.0.113.10", "IP address")]
        [InlineData("::1", "IP address")]
        [InlineData("[2001:db8::1]", "IP address")]
        [InlineData("-shop.example.com", "hyphen")]
        [InlineData("shop-.example.com", "hyphen")]
        [InlineData("shop.*.example.com", "'*'")]
        [InlineData("*shop.example.com", "'*'")]
        [InlineData("shop.example.*", "'*'")]
        [InlineData("a.com; rm -rf /", "path")]
        [InlineData("a.com;rm", "not a valid host name")]
        [InlineData("a.com\r\nX: y", "control character")]
        [InlineData("a.com\tb.com", "white space")]
        [InlineData("shop example.com", "white space")]
        [InlineData("<script>", "not a valid host name")]
        [InlineData("<script>.example.com", "not a valid host name")]
        [InlineData("a.com'\"", "not a valid host name")]
        [InlineData("$(whoami).example.com", "not a valid host name")]
        [InlineData("user@shop.example.com", "'@'")]
        [InlineData("under_score.example.com", "not a valid host name")]
        [InlineData("localhost", "no dot")]
        [InlineData("example.123", "all-numeric")]
        public void Invalid(string? input, string problem)
        {
            Assert.False(DomainName.TryNormalize(input, out string normalized, out string error));
            Assert.Equal(string.Empty, normalized);
            Assert.Contains(problem, error, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void UrlHintNamesTheHost()
        {
            Assert.False(DomainName.TryNormalize("https://Shop.Example.com/checkout", out _, out string error));
            Assert.Contains(": shop.example.com", error);
        }

        [Fact]
        public void PortHintNamesTheHost()
        {
            Assert.False(DomainName.TryNormalize("shop.example.com:443", out _, out string error));
            Assert.Contains("'shop.example.com'", error);
        }

        [Fact]
        public void LabelOf64CharactersIsRefusedNamingTheLength()
        {
            Assert.False(DomainName.TryNormalize(new string('a', 64) + ".example.com", out _, out string error));
            Assert.Contains("64 characters", error);
            Assert.Contains("63", error);
        }

        [Fact]
        public void NameOf254CharactersIsRefusedNamingTheLength()
        {
            string name254 = string.Join(".", new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62));
            Assert.Equal(254, name254.Length);
            Assert.False(DomainName.TryNormalize(name254, out _, out string error));
            Assert.Contains("254 characters", error);
            Assert.Contains("253", error);
        }

        [Fact]
        public void VeryLongNameIsRefusedNamingTheLength()
        {
            string name = string.Join(".", Enumerable.Repeat(new string('a', 60), 6)) + ".com";
            Assert.False(DomainName.TryNormalize(name, out _, out string error));
            Assert.Contains("253", error);
        }

        [Fact]
        public void ErrorMessagesQuoteTheInputButShortenIt()
        {
            string name = new string('x', 300) + "/";
            Assert.False(DomainName.TryNormalize(name, out _, out string error));
            Assert.True(error.Length < 300, "a huge input is echoed whole");
        }
    }

    /// <summary>Which top-level domains exist: the public suffix list shipped in the dll, and the rule desired names pass.</summary>
    public class TopLevelDomainTests
    {
        [Fact]
        public void ShippedList_Parses_AndKnowsTheTopLevelDomainsAndSuffixes()
        {
            PublicSuffixList list = PublicSuffixList.Shipped;
            Assert.True(list.TopLevelCount > 1000, $"only {list.TopLevelCount} top-level domains");
            Assert.True(list.RuleCount > 5000, $"only {list.RuleCount} rules");
            foreach (string tld in new[] { "com", "org", "uk", "de", "io", "link", "arpa", "xn--p1ai", "xn--fiqs8s" })
            {
                Assert.True(list.IsTopLevelDomain(tld), tld);
            }

            Assert.True(list.IsPublicSuffix("co.uk"));
            Assert.True(list.IsPublicSuffix("com"));
            Assert.True(list.IsPublicSuffix("anything.ck"), "*.ck");
            Assert.False(list.IsPublicSuffix("www.ck"), "!www.ck");
            Assert.False(list.IsPublicSuffix("example.co.uk"));
            // The special-use and private names are in no public list.
            foreach (string tld in new[] { "exam", "test", "example", "invalid", "localhost", "local", "internal", "lan", "home", "corp" })
            {
                Assert.False(list.IsTopLevelDomain(tld), tld);
            }
        }

        [Fact]
        public async System.Threading.Tasks.Task ShippedList_ReadAheadByConnect_IsReadOnceOnAnotherThread_ForEveryCheck()
        {
            // Connect-RunCloud starts the read while its ping waits; checks that come before it finished wait for it.
            int reads = 0;
            var list = new Lazy<PublicSuffixList>(() =>
            {
                System.Threading.Interlocked.Increment(ref reads);
                return PublicSuffixList.Parse(new System.IO.StringReader("com\nco.uk\n"));
            });
            await PublicSuffixList.Prepare(list);
            Assert.True(list.IsValueCreated, "Prepare read nothing");
            var got = new System.Collections.Concurrent.ConcurrentBag<PublicSuffixList>();
            System.Threading.Tasks.Parallel.For(0, 16, i =>
            {
                _ = PublicSuffixList.Prepare(list);
                got.Add(list.Value);
            });
            Assert.Equal(1, reads);
            Assert.Single(got.Distinct());
            Assert.True(list.Value.IsPublicSuffix("co.uk"));

            // A list that cannot be read: Prepare does not throw, the first check does.
            var broken = new Lazy<PublicSuffixList>(() => PublicSuffixList.Parse(new System.IO.StringReader("// nothing\n")));
            await PublicSuffixList.Prepare(broken);
            Assert.Throws<System.IO.InvalidDataException>(() => broken.Value);
        }

        [Fact]
        public void ShippedList_IsTheResourceTheRefreshScriptWrites()
        {
            using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(PublicSuffixList.ResourceName)!;
            using var reader = new System.IO.StreamReader(stream);
            string text = reader.ReadToEnd();
            Assert.StartsWith("// This Source Code Form is subject to the terms of the Mozilla Public", text);
            Assert.Contains("// Written by tools/Update-PublicSuffixList.ps1 from ", text);
            Assert.Contains("\n// ===BEGIN ICANN DOMAINS===\n", text);
            Assert.Contains("\n// ===END ICANN DOMAINS===\n// ===BEGIN PRIVATE DOMAINS===\n", text);
            Assert.EndsWith("// ===END PRIVATE DOMAINS===\n", text); // the emulator embeds the same file and reads both sections
        }

        [Fact]
        public void Parse_ReadsOnlyTheIcannSection_ConvertsIdnRules_AndRefusesWhatIsNotARule()
        {
            var list = PublicSuffixList.Parse(new System.IO.StringReader(
                "// c\n// ===BEGIN ICANN DOMAINS===\ncom\nрф\n*.ck\n!www.ck\n// ===END ICANN DOMAINS===\n// ===BEGIN PRIVATE DOMAINS===\ngithub.io\n"));
            Assert.True(list.IsTopLevelDomain("xn--p1ai"));
            Assert.False(list.IsTopLevelDomain("io"));
            Assert.Equal(4, list.RuleCount);
            var ex = Assert.Throws<System.IO.InvalidDataException>(() => PublicSuffixList.Parse(new System.IO.StringReader("com\nfoo..bar\n")));
            Assert.Contains("Line 2", ex.Message);
            Assert.Throws<System.IO.InvalidDataException>(() => PublicSuffixList.Parse(new System.IO.StringReader("// nothing\n")));
        }

        [Theory]
        [InlineData("shop.example.com")]
        [InlineData("*.example.co.uk")]
        [InlineData("xn--e1afmkfd.xn--p1ai")]
        [InlineData("www.ck")]
        [InlineData("app.runcloud.link")]
        public void KnownTopLevelDomain_Passes(string name) => Assert.Null(DomainName.TopLevelDomainProblem(name));

        [Theory]
        [InlineData("shop.exam", ".exam", "-AllowTld exam")]       // shop.example.com cut short
        [InlineData("shop.example.c", ".c", "-AllowTld c")]
        [InlineData("nas.lan", ".lan", "\"allowTld\": [\"lan\"]")]
        [InlineData("*.dev.internal", ".internal", "-AllowTld internal")]
        [InlineData("site.test", ".test", "-AllowTld test")]
        [InlineData("co.uk", "public suffix", "shop.co.uk")]
        [InlineData("foo.ck", "public suffix", "shop.foo.ck")]
        public void UnknownTopLevelDomainOrAPublicSuffix_IsAnErrorNamingItAndTheFix(string name, string phrase, string fix)
        {
            string? problem = DomainName.TopLevelDomainProblem(name);
            Assert.NotNull(problem);
            Assert.Contains(name, problem);
            Assert.Contains(phrase, problem);
            Assert.Contains(fix, problem);
        }

        [Fact]
        public void AllowedTopLevelDomains_Pass_AndOnlyThose()
        {
            HashSet<string> allow = DomainName.ParseTlds(new[] { "lan", ".Internal", "*.ЛАН" }, "-AllowTld");
            Assert.Equal(new[] { "internal", "lan", "xn--80avh" }, allow.OrderBy(t => t, StringComparer.Ordinal));
            Assert.Null(DomainName.TopLevelDomainProblem("nas.lan", allow));
            Assert.Null(DomainName.TopLevelDomainProblem("*.dev.internal", allow));
            Assert.NotNull(DomainName.TopLevelDomainProblem("shop.exam", allow));
        }

        [Theory]
        [InlineData("home.arpa")]
        [InlineData("")]
        [InlineData("123")]
        [InlineData("la n")]
        [InlineData("-lan")]
        public void AllowTld_ThatIsNotOneLabel_IsRefused(string value)
        {
            var ex = Assert.Throws<ArgumentException>(() => DomainName.ParseTlds(new[] { value }, "-AllowTld"));
            Assert.StartsWith("-AllowTld: ", ex.Message);
            Assert.Contains("e.g. lan", ex.Message);
        }
    }
}
