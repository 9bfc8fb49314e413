using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The ExchangeHandler reads an answer whose length is announced straight into an array of that size (one copy
    /// fewer per call) and one without Content-Length in chunks; either way, a body shorter or longer than announced, or
    /// over MaxResponseSize, is an error, never a silently cut or padded document.
    /// </summary>
    public class BodyLengthTests
    {
        private const string Domain = "{\"id\":3001,\"name\":\"shop.example.com\",\"type\":\"alias\",\"www\":false,\"redirection\":\"none\"}";

        /// <summary>Answers every request with <paramref name="body"/>, announcing <paramref name="announced"/> bytes (null: no Content-Length).</summary>
        private sealed class Answer : HttpMessageHandler
        {
            private readonly byte[] _body;
            private readonly long? _announced;

            public Answer(string body, long? announced)
            {
                _body = Encoding.UTF8.GetBytes(body);
                _announced = announced;
            }

            public int Calls;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref Calls);
                var content = new StreamContent(new MemoryStream(_body));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                content.Headers.ContentLength = _announced;
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
            }
        }

        private static Task<Models.RunCloudDomain> Get(Answer answer, long? maxResponseSize = null)
        {
            var connection = ClientFactory.Create(answer, ClientFactory.FastRetry(maxAttempts: 2));
            if (maxResponseSize.HasValue) connection.MaxResponseSize = maxResponseSize.Value;
            return connection.CreateService().GetDomainAsync(1, 2, 3001, CancellationToken.None);
        }

        [Fact]
        public async Task AnnouncedLengthIsReadWhole()
        {
            var domain = await Get(new Answer(Domain, Encoding.UTF8.GetByteCount(Domain)));
            Assert.Equal(3001, domain.Id);
            Assert.Equal("shop.example.com", domain.Name);
        }

        [Fact]
        public async Task UnannouncedLengthIsReadWhole()
        {
            string big = "{\"id\":3001,\"name\":\"shop.example.com\",\"pad\":\"" + new string('x', 50_000) + "\"}";
            var domain = await Get(new Answer(big, null));
            Assert.Equal("shop.example.com", domain.Name);
        }

        [Fact]
        public async Task ShorterThanAnnouncedIsATransportError()
        {
            var answer = new Answer(Domain, Encoding.UTF8.GetByteCount(Domain) + 10);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => Get(answer));
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.Contains("ended after", ex.Message);
            Assert.Equal(2, answer.Calls); // a GET: read again, then reported
        }

        [Fact]
        public async Task LongerThanAnnouncedIsATransportError()
        {
            var answer = new Answer(Domain, Encoding.UTF8.GetByteCount(Domain) - 10);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => Get(answer));
            Assert.Equal(ErrorIds.TransportError, ex.ErrorId);
            Assert.Contains("went on past the", ex.Message);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task OverTheCapIsRefusedEitherWay(bool announce)
        {
            string big = "{\"id\":3001,\"pad\":\"" + new string('x', 5_000) + "\"}";
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => Get(new Answer(big, announce ? Encoding.UTF8.GetByteCount(big) : (long?)null), maxResponseSize: 2048));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("MaxResponseSize", ex.Message);
        }
    }
}
