using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Just above the ExchangeHandler (which reads each attempt off the wire): one verbose line per attempt (method, URL, status, time, attempt) and, at -Debug,
    /// the request and response bodies with secrets redacted. The Authorization header is never written.
    /// </summary>
    internal sealed class LoggingHandler : DelegatingHandler
    {
        private readonly Action<HttpRequestMessage> _onRequest;

        /// <param name="onRequest">Called once per attempt as it goes on the wire (the connection's counters and usage meter).</param>
        public LoggingHandler(Action<HttpRequestMessage> onRequest) => _onRequest = onRequest;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _onRequest(request);
            IRunCloudLog? log = RunCloudLog.Current;
            // Nothing to write (no -Verbose, no -Debug: the unattended case): straight through, no timing, no state machine.
            return log == null || !(log.VerboseEnabled || log.DebugEnabled) ? base.SendAsync(request, cancellationToken) : SendLoggedAsync(request, log, cancellationToken);
        }

        private async Task<HttpResponseMessage> SendLoggedAsync(HttpRequestMessage request, IRunCloudLog log, CancellationToken cancellationToken)
        {
            int attempt = RequestProperties.GetAttempt(request);
            if (log.DebugEnabled && request.Content != null)
            {
                string body = await request.Content.ReadAsStringAsync().ConfigureAwait(false);
                log.Debug($"RunCloud request body: {ServerText.Escape(Redactor.RedactJson(body))}");
            }

            long started = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested && !log.VerboseEnabled))
            {
                log.Verbose(string.Format(CultureInfo.InvariantCulture, "RunCloud: {0} {1} failed after {2} ms (attempt {3}): {4}",
                    request.Method.Method, request.RequestUri, ElapsedMilliseconds(started), attempt, ex.Message));
                throw;
            }

            log.Verbose(string.Format(CultureInfo.InvariantCulture, "RunCloud: {0} {1} -> {2} {3} in {4} ms (attempt {5})",
                request.Method.Method, request.RequestUri, (int)response.StatusCode, response.ReasonPhrase, ElapsedMilliseconds(started), attempt));
            if (log.DebugEnabled && response.Content != null)
            {
                // Already buffered, bounded in time and size, by the ExchangeHandler below: nothing here reads the wire.
                cancellationToken.ThrowIfCancellationRequested();
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                log.Debug($"RunCloud response body: {ServerText.Escape(Redactor.RedactJson(body))}");
            }

            return response;
        }

        private static long ElapsedMilliseconds(long started) => (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency;
    }
}
