using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// A failed RunCloud call: the HTTP status, RunCloud's own <c>message</c> and validation messages, a hint that
    /// says what to check, and the ErrorId and category the Commands layer puts on its error record. It carries the server and web app ids
    /// the failed request used (<see cref="ServerId"/>, <see cref="WebAppId"/>), never a connection default.
    /// </summary>
    public class RunCloudApiException : Exception
    {
        public RunCloudApiException(string errorId, ErrorCategory category, string message, string? hint = null,
            int? statusCode = null, string? apiMessage = null, IReadOnlyDictionary<string, string[]>? validationErrors = null,
            string? method = null, string? path = null, bool mayHaveBeenApplied = false, TimeSpan? retryAfter = null,
            Exception? inner = null, long? serverId = null, long? webAppId = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Hint = hint;
            StatusCode = statusCode;
            ApiMessage = apiMessage;
            ValidationErrors = validationErrors ?? new Dictionary<string, string[]>();
            Method = method;
            Path = path;
            MayHaveBeenApplied = mayHaveBeenApplied;
            RetryAfter = retryAfter;
            ServerId = serverId;
            WebAppId = webAppId;
        }

        public string ErrorId { get; }
        public ErrorCategory Category { get; }
        public string? Hint { get; }
        public int? StatusCode { get; }
        public string? ApiMessage { get; }
        public IReadOnlyDictionary<string, string[]> ValidationErrors { get; }
        public string? Method { get; }
        public string? Path { get; }
        public TimeSpan? RetryAfter { get; }

        /// <summary>The server id the failed request named, if any.</summary>
        public long? ServerId { get; }

        /// <summary>The web app id the failed request named, if any.</summary>
        public long? WebAppId { get; }

        /// <summary>How many times the request was sent before this error (1 when it was not retried).</summary>
        public int Attempts { get; internal set; } = 1;

        /// <summary>The time from the first attempt to the final failure, retries and back-off included.</summary>
        public TimeSpan Elapsed { get; internal set; }

        /// <summary>
        /// True when a non-idempotent request (POST, PATCH) failed in a way that does not tell whether RunCloud
        /// applied it (timeout, connection reset, 502/503/504, an unreadable answer). Such a request is never
        /// re-sent blindly: the caller checks the resulting state first.
        /// </summary>
        public bool MayHaveBeenApplied { get; }

        /// <summary>
        /// This exception with every secret value in its texts (message, hint, RunCloud's message and validation messages)
        /// masked and control characters escaped; the same instance when there is nothing to clean. An inner exception
        /// whose text holds a secret is dropped (its message is already part of this one's).
        /// </summary>
        internal RunCloudApiException Redact(IReadOnlyCollection<string> secrets)
        {
            bool dirty = Redactor.NeedsCleaning(Message, secrets) || Redactor.NeedsCleaning(Hint, secrets) || Redactor.NeedsCleaning(ApiMessage, secrets)
                || ValidationErrors.Any(e => Redactor.NeedsCleaning(e.Key, secrets) || e.Value.Any(v => Redactor.NeedsCleaning(v, secrets)))
                || InnerHolds(InnerException, secrets);
            if (!dirty) return this;
            var errors = ValidationErrors.ToDictionary(e => Redactor.Clean(e.Key, secrets), e => e.Value.Select(v => Redactor.Clean(v, secrets)).ToArray());
            return new RunCloudApiException(ErrorId, Category, Redactor.Clean(Message, secrets), Hint == null ? null : Redactor.Clean(Hint, secrets),
                StatusCode, ApiMessage == null ? null : Redactor.Clean(ApiMessage, secrets), errors, Method, Path, MayHaveBeenApplied, RetryAfter,
                InnerHolds(InnerException, secrets) ? null : InnerException, ServerId, WebAppId);
        }

        private static bool InnerHolds(Exception? inner, IReadOnlyCollection<string> secrets)
        {
            for (Exception? e = inner; e != null; e = e.InnerException)
            {
                if (Redactor.NeedsCleaning(e.Message, secrets)) return true;
            }

            return false;
        }

        /// <summary>RunCloudInvalidResponse for a malformed value in the answer to <paramref name="method"/> <paramref name="path"/>.</summary>
        internal static RunCloudApiException InvalidData(InvalidResponseDataException ex, string? method, string? path, long? serverId = null, long? webAppId = null) =>
            new RunCloudApiException(ErrorIds.InvalidResponse, ErrorCategory.InvalidResult,
                ex.Message + (method != null ? $" ({method} {path})" : string.Empty),
                "Run the command again; if it persists, RunCloud (or something between it and you, see -BaseUri and -Proxy) is sending "
                + "data the API contract does not allow. Nothing was changed because of it.",
                method: method, path: path, inner: ex, serverId: serverId, webAppId: webAppId);

        internal static RunCloudApiException FromResponse(int status, string reason, string method, string path,
            string? apiMessage, IReadOnlyDictionary<string, string[]>? errors, TimeSpan? retryAfter, long? serverId, long? webAppId,
            Uri? location = null, DateTime? now = null, bool usedApiKey = false)
        {
            string errorId;
            ErrorCategory category;
            string hint;
            switch (status)
            {
                case 401:
                    errorId = ErrorIds.AuthenticationFailed;
                    category = ErrorCategory.AuthenticationError;
                    hint = usedApiKey
                        ? "RunCloud now issues API tokens (API v3, sent as Bearer): an API key + secret (v2) works only for legacy accounts. "
                          + "Create a token in RunCloud > Workspace > Settings > API Management and connect with Connect-RunCloud -Token "
                          + "(or WU_RUNCLOUD_API_TOKEN); if this is a legacy account, check the API key and secret."
                        : "Check the API token (or API key and secret) and that it belongs to this RunCloud account "
                          + "(RunCloud > Workspace > Settings > API Management), then run Connect-RunCloud again.";
                    break;
                case 403:
                    errorId = ErrorIds.Forbidden;
                    category = ErrorCategory.PermissionDenied;
                    hint = "The account's plan or the key's permissions do not allow this. API access needs a Business or Enterprise "
                         + "plan, and a plan may limit how many domains a web app can have.";
                    break;
                case 404:
                    errorId = ErrorIds.NotFound;
                    category = ErrorCategory.ObjectNotFound;
                    hint = "Check the server id" + (serverId.HasValue ? $" ({serverId})" : string.Empty)
                         + " and web app id" + (webAppId.HasValue ? $" ({webAppId})" : string.Empty)
                         + ": they are in the dashboard URL /servers/{SERVER_ID}/apps/{APP_ID}; Get-RunCloudServer and Get-RunCloudWebApp list them.";
                    break;
                case 422:
                    errorId = ErrorIds.ValidationFailed;
                    category = ErrorCategory.InvalidData;
                    hint = "RunCloud refused the input: correct the field named in the message and try again.";
                    break;
                case 429:
                    errorId = ErrorIds.RateLimited;
                    category = ErrorCategory.LimitsExceeded;
                    hint = "RunCloud's rate limit was exceeded and retries ran out: lower -RateLimit on Connect-RunCloud, "
                         + "raise -MaxRetryDuration, or run again later.";
                    if (retryAfter.HasValue)
                    {
                        DateTime until = (now ?? DateTime.UtcNow) + retryAfter.Value;
                        hint = string.Format(CultureInfo.InvariantCulture,
                            "RunCloud asked to wait {0:0.###} s (Retry-After), until {1}, longer than -MaxRetryDuration allows. Until then every request "
                            + "of this account from this PowerShell process fails at once without being sent (other accounts are not affected): "
                            + "run again after that time, or raise -MaxRetryDuration on Connect-RunCloud to wait it out.",
                            retryAfter.Value.TotalSeconds, RateLimitHandler.UntilText(until));
                    }

                    break;
                default:
                    if (status >= 500)
                    {
                        errorId = ErrorIds.ServerError;
                        category = ErrorCategory.ResourceUnavailable;
                        hint = "RunCloud failed on its side; run the command again later.";
                    }
                    else if (status >= 300 && status < 400)
                    {
                        errorId = ErrorIds.UnexpectedResponse;
                        category = ErrorCategory.InvalidResult;
                        hint = "RunCloud's API does not redirect, so redirects are not followed (they would carry the credentials "
                             + "elsewhere): it pointed to " + (location?.ToString() ?? "no Location")
                             + ". Check -BaseUri (e.g. https://manage.runcloud.io/) and any proxy in between.";
                    }
                    else
                    {
                        errorId = ErrorIds.UnexpectedResponse;
                        category = ErrorCategory.InvalidResult;
                        hint = "RunCloud answered with an unexpected status; check the request with -Debug.";
                    }

                    break;
            }

            var text = new StringBuilder();
            text.Append("RunCloud answered ").Append(status).Append(' ').Append(reason)
                .Append(" to ").Append(method).Append(' ').Append(path);
            if (!string.IsNullOrWhiteSpace(apiMessage))
            {
                text.Append(": ").Append(ServerText.Escape(apiMessage!.Trim()));
            }

            if (errors != null && errors.Count > 0)
            {
                text.Append(" (").Append(string.Join("; ", errors.Select(e => ServerText.Escape(e.Key) + ": " + ServerText.Escape(string.Join(" ", e.Value))))).Append(')');
            }

            if (!text.ToString().EndsWith(".", StringComparison.Ordinal)) text.Append('.');
            text.Append(' ').Append(hint);
            return new RunCloudApiException(errorId, category, text.ToString(), hint, status, apiMessage, errors, method, path,
                mayHaveBeenApplied: status >= 502 && status <= 504 && !HttpMethods.IsIdempotent(method),
                retryAfter: retryAfter, serverId: serverId, webAppId: webAppId);
        }
    }
}
