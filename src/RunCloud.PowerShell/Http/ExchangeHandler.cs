using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// One attempt on the wire, bounded in time and memory: headers AND body are read here, inside the handler chain, under
    /// the per-attempt timeout (-TimeoutSec) and the caller's cancellation, so the retry handler sees a dripping or cut body
    /// exactly as it sees a late or failed answer. The body is buffered up to the connection's MaxResponseSize and no
    /// further. Sits below the rate limiter, so the time spent waiting for the limiter is never counted as transport time.
    /// </summary>
    internal sealed class ExchangeHandler : DelegatingHandler
    {
        private const int ChunkSize = 8 * 1024;
        private readonly RetryPolicy _policy;
        private readonly Func<long> _maxResponseSize;

        public ExchangeHandler(RetryPolicy policy, Func<long> maxResponseSize)
        {
            _policy = policy;
            _maxResponseSize = maxResponseSize;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            TimeSpan timeout = _policy.Timeout;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(timeout);
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
                if (response.Content != null)
                {
                    // Disposing the response aborts a read in progress on every runtime, whether or not its stream
                    // honours the token (some .NET Framework streams do not).
                    using (attempt.Token.Register(state => ((HttpResponseMessage)state!).Dispose(), response))
                    {
                        response.Content = await BufferAsync(request, response, attempt.Token).ConfigureAwait(false);
                    }
                }

                return response;
            }
            catch (Exception ex) when (attempt.IsCancellationRequested && !(ex is RunCloudApiException))
            {
                response?.Dispose();
                cancellationToken.ThrowIfCancellationRequested(); // the user stopped: not a timeout
                throw new TimeoutException(string.Format(CultureInfo.InvariantCulture,
                    "No complete answer from RunCloud within {0:0.#} s (-TimeoutSec)", timeout.TotalSeconds), ex);
            }
            catch
            {
                response?.Dispose();
                throw;
            }
        }

        private async Task<HttpContent> BufferAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken token)
        {
            long cap = _maxResponseSize();
            HttpContent content = response.Content;
            long? announced = content.Headers.ContentLength;
            if (announced > cap) throw TooLarge(request, response, cap, announced);

            byte[] body;
            int length;
            using (Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
            {
                if (announced.HasValue)
                {
                    // The usual answer: its length is announced, so it is read straight into an array of that size.
                    body = new byte[announced.Value];
                    length = 0;
                    while (length < body.Length)
                    {
                        int n = await stream.ReadAsync(body, length, body.Length - length, token).ConfigureAwait(false);
                        if (n == 0) break;
                        length += n;
                    }

                    if (length == body.Length && await stream.ReadAsync(new byte[1], 0, 1, token).ConfigureAwait(false) > 0)
                    {
                        // More than announced (a transport that does not stop at Content-Length) is as wrong as less.
                        throw new IOException(string.Format(CultureInfo.InvariantCulture,
                            "the answer went on past the {0} bytes it announced", announced.Value));
                    }
                }
                else
                {
                    var buffer = new MemoryStream(ChunkSize);
                    var chunk = new byte[ChunkSize];
                    while (true)
                    {
                        int n = await stream.ReadAsync(chunk, 0, chunk.Length, token).ConfigureAwait(false);
                        if (n == 0) break;
                        if (buffer.Length + n > cap) throw TooLarge(request, response, cap, null);
                        buffer.Write(chunk, 0, n);
                    }

                    body = buffer.GetBuffer();
                    length = (int)buffer.Length;
                }
            }

            if (announced.HasValue && length != announced.Value)
            {
                throw new IOException(string.Format(CultureInfo.InvariantCulture,
                    "the answer ended after {0} of the {1} bytes it announced", length, announced.Value));
            }

            // Only Content-Type (its charset decodes the text) is carried over: copying every content header would parse
            // them all on each answer, and nothing above reads the others.
            var buffered = new ByteArrayContent(body, 0, length);
            buffered.Headers.ContentType = content.Headers.ContentType;
            content.Dispose();
            return buffered;
        }

        private static RunCloudApiException TooLarge(HttpRequestMessage request, HttpResponseMessage response, long cap, long? announced)
        {
            string method = request.Method.Method;
            string size = announced.HasValue
                ? announced.Value.ToString("N0", CultureInfo.InvariantCulture) + " bytes"
                : "more than " + cap.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
            return new RunCloudApiException(ErrorIds.InvalidResponse, System.Management.Automation.ErrorCategory.InvalidResult,
                string.Format(CultureInfo.InvariantCulture,
                    "RunCloud's answer ({0}) to {1} {2} is {3}, over the connection's MaxResponseSize of {4:N0} bytes; it was not read further.",
                    (int)response.StatusCode, method, request.RequestUri?.AbsolutePath, size, cap),
                "RunCloud's answers are a few kilobytes: check -BaseUri (and any proxy in between). If the answer is genuine, "
                + "raise the cap with Connect-RunCloud -MaxResponseSize.",
                (int)response.StatusCode, method: method, path: request.RequestUri?.AbsolutePath,
                mayHaveBeenApplied: !HttpMethods.IsIdempotent(method));
        }
    }
}
