using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Builds a real RunCloudConnection (the full handler chain) over a test transport such as MockHttp.</summary>
    internal static class ClientFactory
    {
        public const string Token = "tok-SECRET-9f8e7d6c5b4a";
        public const string ApiKey = "key-abcdef123456";
        public const string ApiSecret = "sec-SECRET-0a1b2c3d4e5f";
        public static readonly Uri BaseUri = new Uri("https://rc.test/api/v3/");

        /// <summary>Fast retries by default so tests never wait for the production back-off.</summary>
        public static RetryPolicy FastRetry(int maxAttempts = 5) => new RetryPolicy
        {
            MaxAttempts = maxAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(10),
            MaxDelay = TimeSpan.FromMilliseconds(40),
            MaxRetryDuration = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(10),
        };

        public static RunCloudConnection Create(HttpMessageHandler transport, RetryPolicy? retry = null, int rateLimit = 0,
            TimeSpan? window = null, bool basic = false, Clock? clock = null)
        {
            TestStateFolder.EnsureSet();
            RunCloudCredential credential = basic
                ? RunCloudCredential.ForApiKey(ApiKey, SecureText.FromPlain(ApiSecret))
                : RunCloudCredential.ForToken(SecureText.FromPlain(Token));
            return new RunCloudConnection(BaseUri, basic ? "v2" : "v3", credential, "test", retry ?? FastRetry(), rateLimit,
                window ?? TimeSpan.FromMinutes(1), null, transport, clock: clock);
        }

        public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
            return response;
        }

        public static HttpResponseMessage Pong() => Json(HttpStatusCode.OK, "{\"message\":\"pong\"}");
    }

    /// <summary>Records when each request reached the transport (the injected clock's time, else Stopwatch time), thread-safely.</summary>
    internal sealed class StartLog
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly Clock? _clock;

        public StartLog(Clock? clock = null) => _clock = clock;

        private TimeSpan Time => _clock?.Elapsed ?? _watch.Elapsed;
        private readonly List<TimeSpan> _starts = new List<TimeSpan>();
        private readonly List<string> _methods = new List<string>();

        public void Add(HttpRequestMessage request)
        {
            lock (_starts)
            {
                _starts.Add(Time);
                _methods.Add(request.Method.Method);
            }
        }

        public int Count { get { lock (_starts) return _starts.Count; } }
        public TimeSpan this[int index] { get { lock (_starts) return _starts[index]; } }
        public TimeSpan Now => Time;
    }
}
