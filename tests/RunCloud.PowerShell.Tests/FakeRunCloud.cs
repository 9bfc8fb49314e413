using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A hostile or quirky RunCloud for one web app (server 1, app 2): answers the domain listing with exactly the items
    /// given (raw JSON, so they can lack ids, names or types), records every request, and answers changes with 200.
    /// For what the real emulator cannot be made to send.
    /// </summary>
    internal sealed class FakeRunCloud : HttpMessageHandler
    {
        private readonly JArray _domains;

        public FakeRunCloud(string domainsJson) => _domains = JArray.Parse(domainsJson);

        public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

        public IEnumerable<string> Mutations => Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string path = request.RequestUri!.AbsolutePath.Replace("/api/v3/", string.Empty).TrimStart('/');
            Requests.Enqueue(request.Method.Method + " " + path);
            if (request.Method == HttpMethod.Get && path == "servers/1/webapps/2/domains")
            {
                var body = new JObject { ["data"] = _domains, ["meta"] = new JObject { ["pagination"] = new JObject { ["total"] = _domains.Count, ["total_pages"] = 1, ["current_page"] = 1 } } };
                return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, body.ToString()));
            }

            if (request.Method == HttpMethod.Get && path == "servers/1/webapps/2/ssl")
                return Task.FromResult(ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"SSL not installed!\"}"));
            if (request.Method == HttpMethod.Get && path == "servers/1/webapps/2/ssl/advanced")
                return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"advancedSSL\":false,\"autoSSL\":false}"));
            if (request.Method == HttpMethod.Post && path == "servers/1/webapps/2/domains")
                return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"id\":999,\"name\":\"added.example.com\",\"type\":\"alias\"}"));
            return Task.FromResult(ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"ok\"}"));
        }
    }
}
