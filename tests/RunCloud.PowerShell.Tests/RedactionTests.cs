using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using Xunit;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Tests
{
    public class RedactionTests
    {
        [Theory]
        [InlineData("privateKey", "-----BEGIN PRIVATE KEY-----abc")]
        [InlineData("pullKey1", "pk1-secret-value")]
        [InlineData("pullKey2", "pk2-secret-value")]
        [InlineData("token", "tok-very-secret")]
        [InlineData("api_token", "tok-very-secret")]
        [InlineData("apiSecret", "sec-very-secret")]
        [InlineData("password", "hunter2hunter2")]
        [InlineData("PrivateKey", "case-insensitive-secret")]
        public void RedactJsonMasksSecretFields(string field, string value)
        {
            string json = "{\"id\":4001,\"" + field + "\" : \"" + value + "\",\"method\":\"letsencrypt\"}";
            string redacted = Redactor.RedactJson(json);
            Assert.DoesNotContain(value, redacted);
            Assert.Contains(Redactor.Mask, redacted);
            Assert.Contains("\"method\":\"letsencrypt\"", redacted);
            Assert.Contains("4001", redacted);
        }

        [Fact]
        public void RedactJsonMasksEscapedQuotesAndNestedObjectsAndLeavesOthers()
        {
            string json = "{\"data\":[{\"name\":\"shop\",\"pullKey1\":\"a\\\"b-secret\",\"webapp\":{\"privateKey\":\"line1\\nline2-secret\"}}]}";
            string redacted = Redactor.RedactJson(json);
            Assert.DoesNotContain("secret", redacted);
            Assert.Contains("\"name\":\"shop\"", redacted);
        }

        [Fact]
        public void RedactValuesRemovesKnownSecretsAnywhere()
        {
            string text = Redactor.RedactValues("Authorization: Bearer abcd1234 and abcd1234 again", new[] { "abcd1234", "" });
            Assert.DoesNotContain("abcd1234", text);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task LoggingHandlerNeverWritesTheAuthorizationValue(bool basic)
        {
            var mock = new MockHttpMessageHandler();
            string? seenAuth = null;
            mock.When("*").Respond(req =>
            {
                seenAuth = req.Headers.Authorization?.ToString();
                // a server that echoes secrets must not get them into the debug stream either
                return ClientFactory.Json(HttpStatusCode.OK, "{\"id\":1,\"token\":\"" + ClientFactory.Token + "\",\"privateKey\":\"PK-" + ClientFactory.ApiSecret + "\",\"pullKey1\":\"pull-secret\"}");
            });
            using var connection = ClientFactory.Create(mock, basic: basic);
            var log = new PipelineLog(verbose: true, debug: true);
            RunCloudLog.Current = log;
            try
            {
                await connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/ssl",
                    new Dictionary<string, object> { ["provider"] = "custom", ["privateKey"] = "PRIVATE-" + ClientFactory.ApiSecret, ["certificate"] = "CERT" },
                    CancellationToken.None);
            }
            finally
            {
                RunCloudLog.Current = null;
            }

            var lines = log.Drain().Select(m => m.Text).ToList();
            Assert.NotNull(seenAuth);
            string header = seenAuth!.Split(' ')[1];
            Assert.Contains(lines, l => l.Contains("POST") && l.Contains("200"));
            Assert.Contains(lines, l => l.StartsWith("RunCloud request body", StringComparison.Ordinal) && l.Contains("CERT"));
            Assert.Contains(lines, l => l.StartsWith("RunCloud response body", StringComparison.Ordinal));
            foreach (string line in lines)
            {
                Assert.DoesNotContain(header, line);
                Assert.DoesNotContain(ClientFactory.Token, line);
                Assert.DoesNotContain(ClientFactory.ApiSecret, line);
                Assert.DoesNotContain("pull-secret", line);
                Assert.DoesNotContain("Authorization", line, StringComparison.OrdinalIgnoreCase);
            }
        }

        [Fact]
        public void CredentialHeaderIsBuiltFromTheSecretsAndKeyIdShowsFourCharacters()
        {
            var basic = RunCloudCredential.ForApiKey(ClientFactory.ApiKey, SecureText.FromPlain(ClientFactory.ApiSecret));
            var header = basic.CreateHeader();
            Assert.Equal("Basic", header.Scheme);
            Assert.Equal(ClientFactory.ApiKey + ":" + ClientFactory.ApiSecret, Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter!)));
            Assert.Equal("key-…", basic.KeyId);
            var token = RunCloudCredential.ForToken(SecureText.FromPlain(ClientFactory.Token));
            Assert.Equal("tok-…", token.KeyId);
            Assert.Equal("Bearer", token.CreateHeader().Scheme);
        }

        [Fact]
        public void ConnectionToStringAndPropertiesNeverShowTheSecret()
        {
            var mock = new MockHttpMessageHandler();
            using var connection = ClientFactory.Create(mock, basic: true);
            foreach (var property in typeof(RunCloudConnection).GetProperties().Where(p => p.GetIndexParameters().Length == 0))
            {
                string text = Convert.ToString(property.GetValue(connection), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                Assert.DoesNotContain(ClientFactory.ApiSecret, text);
                Assert.DoesNotContain(ClientFactory.ApiKey, text);
            }

            Assert.DoesNotContain(ClientFactory.ApiSecret, connection.ToString());
        }
    }
}
