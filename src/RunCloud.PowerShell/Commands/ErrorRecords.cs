using System;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The one place an <see cref="ErrorRecord"/> is built (tests/RunCloud.PowerShell.Tests/ArchitectureTests.cs fails
    /// on <c>new ErrorRecord(</c> anywhere else): every failure a cmdlet reports gets its ErrorId, category, target and,
    /// when there is one, the recommended action here, so two cmdlets never word the same failure differently. Lower
    /// layers throw typed exceptions (or report <see cref="AppFailure"/>s); this turns them into records.
    /// </summary>
    internal static class ErrorRecords
    {
        /// <summary>
        /// An error record with its ErrorId, category and target; <paramref name="message"/> (shown instead of the
        /// exception's text) and <paramref name="recommendedAction"/> (PowerShell prints it as its own line) when given.
        /// </summary>
        public static ErrorRecord Create(System.Exception exception, string errorId, ErrorCategory category, object? target, string? message = null, string? recommendedAction = null)
        {
            var record = new ErrorRecord(exception, errorId, category, target);
            if (message != null || recommendedAction != null)
            {
                record.ErrorDetails = new ErrorDetails(message ?? exception.Message) { RecommendedAction = recommendedAction };
            }

            return record;
        }

        /// <summary>The error record a cmdlet writes for a failed call: ErrorId, category, target, and the hint as the recommended action.</summary>
        public static ErrorRecord FromApi(RunCloudApiException ex, object? target)
        {
            var record = new ErrorRecord(ex, ex.ErrorId, ex.Category, target);
            if (!string.IsNullOrEmpty(ex.Hint) || ex.Attempts > 1)
            {
                record.ErrorDetails = new ErrorDetails(FailureMessage(ex)) { RecommendedAction = ex.Hint };
            }

            return record;
        }

        /// <summary>A failed call whose message says more than RunCloud's (e.g. that the journal keeps the work owed).</summary>
        public static ErrorRecord FromApi(RunCloudApiException ex, object? target, string message, string? recommendedAction = null) =>
            new ErrorRecord(ex, ex.ErrorId, ex.Category, target) { ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction ?? ex.Hint } };

        /// <summary>A UM network that could not be read (completely): ErrorId RunCloudUm&lt;Failure&gt;, the category from the failure.</summary>
        public static ErrorRecord FromUmRead(Sources.UltimateMultisite.UmReadException ex, object? target)
        {
            ErrorCategory category;
            switch (ex.Failure)
            {
                case Sources.UltimateMultisite.UmReadFailure.Authentication: category = ErrorCategory.AuthenticationError; break;
                case Sources.UltimateMultisite.UmReadFailure.Configuration: category = ErrorCategory.InvalidArgument; break;
                case Sources.UltimateMultisite.UmReadFailure.Connection: category = ErrorCategory.ConnectionError; break;
                case Sources.UltimateMultisite.UmReadFailure.Locked: category = ErrorCategory.ResourceBusy; break;
                case Sources.UltimateMultisite.UmReadFailure.Timeout: category = ErrorCategory.OperationTimeout; break;
                case Sources.UltimateMultisite.UmReadFailure.Credential: category = ErrorCategory.SecurityError; break;
                case Sources.UltimateMultisite.UmReadFailure.WpCli: category = ErrorCategory.NotInstalled; break;
                default: category = ErrorCategory.InvalidData; break;
            }

            return new ErrorRecord(ex, ex.ErrorId, category, target ?? ex.What);
        }

        /// <summary>
        /// A -FailOn rule of Get-RunCloudNetworkStatus that names broke: ErrorId RunCloudHealth&lt;Rule&gt; (the exit code a
        /// scheduled health check maps it to), the rule's message with the names, the fix as the recommended action, and
        /// the summary as the target, so a script reads which names failed from $Error[0].TargetObject.
        /// </summary>
        public static ErrorRecord HealthRuleFailed(string errorId, string message, string fix, object summary) =>
            new ErrorRecord(new InvalidOperationException(message), errorId, ErrorCategory.InvalidResult, summary)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = fix },
            };

        /// <summary>
        /// The message of a failed call as the error shows it, without the hint (the record carries the hint as its
        /// RecommendedAction, which PowerShell prints as its own line: once, not twice); after retries it says so, with
        /// how many attempts over how long (the retry handler counts them, this layer words them). The exception's own
        /// Message keeps the hint, for logs that read only it.
        /// </summary>
        public static string FailureMessage(RunCloudApiException ex) =>
            ex.Attempts > 1
                ? WithoutHint(ex) + string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    " Gave up after {0} attempts over {1:0.#} s.", ex.Attempts, ex.Elapsed.TotalSeconds)
                : WithoutHint(ex);

        /// <summary>The exception's message without its trailing hint (when the message ends with it).</summary>
        public static string WithoutHint(RunCloudApiException ex)
        {
            string message = ex.Message.TrimEnd();
            string? hint = ex.Hint?.Trim();
            if (!string.IsNullOrEmpty(hint) && message.Length > hint!.Length && message.EndsWith(hint, System.StringComparison.Ordinal))
            {
                return message.Substring(0, message.Length - hint.Length).TrimEnd();
            }

            return message;
        }

        /// <summary>The lock or the journal of an app (the state folder): another run holds the app, or a file cannot be read or written.</summary>
        public static ErrorRecord FromState(StateException ex, object? target) =>
            new ErrorRecord(ex, ex.ErrorId, ex is AppLockedException ? ErrorCategory.ResourceBusy : ErrorCategory.ResourceUnavailable, target)
            {
                ErrorDetails = new ErrorDetails(ex.Message),
            };

        /// <summary>A bad invocation or a bad input item: what is wrong and what to give instead.</summary>
        public static ErrorRecord Invalid(string errorId, string message, object? target, ErrorCategory category = ErrorCategory.InvalidArgument) =>
            new ErrorRecord(new ArgumentException(message), errorId, category, target);

        /// <summary>A named item (domain, server, web app) that is not there.</summary>
        public static ErrorRecord NotFound(string errorId, string message, object? target) =>
            new ErrorRecord(new ItemNotFoundException(message), errorId, ErrorCategory.ObjectNotFound, target);

        /// <summary>A refusal or failure that is not a call's: a rule of the module, with the rule's ErrorId and what lifts it.</summary>
        public static ErrorRecord Failed(string errorId, string message, ErrorCategory category, object? target, string? recommendedAction = null, Exception? inner = null) =>
            new ErrorRecord(new InvalidOperationException(message, inner), errorId, category, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction },
            };

        /// <summary>An exception the cmdlet caught (a file it could not read, a manifest it could not parse), with the cmdlet's own words.</summary>
        public static ErrorRecord Wrap(Exception ex, string errorId, ErrorCategory category, object? target, string? message = null, string? recommendedAction = null)
        {
            var record = new ErrorRecord(ex, errorId, category, target);
            if (message != null || recommendedAction != null) record.ErrorDetails = new ErrorDetails(message ?? ex.Message) { RecommendedAction = recommendedAction };
            return record;
        }

        /// <summary>Not connected: how to connect, and the named connections that are open.</summary>
        public static ErrorRecord NotConnected(string message, string recommendedAction) =>
            new ErrorRecord(new InvalidOperationException(message), ErrorIds.NotConnected, ErrorCategory.ConnectionError, null)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction },
            };

        /// <summary>A prompt PowerShell cannot show (pwsh -NonInteractive, a scheduled task): what to pass instead.</summary>
        public static ErrorRecord ConfirmationRequired(string command, string target, string action, Exception inner)
        {
            string message = $"{command} asks before it does \"{action}\" on {target}, but PowerShell cannot ask here "
                + "(it runs non-interactively, e.g. pwsh -NonInteractive or a scheduled task). Nothing was changed. "
                + "To go ahead without asking, pass -Confirm:$false (or -Force where the command has it); to see what would happen, pass -WhatIf.";
            return new ErrorRecord(new InvalidOperationException(message, inner), ErrorIds.ConfirmationRequired, ErrorCategory.InvalidOperation, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"{command} ... -Confirm:$false" },
            };
        }

        /// <summary>Why an apply stopped before any change (a guard, a drifted or edited plan, an SSL step certain to be refused).</summary>
        public static ErrorRecord FromRefusal(AppRefusal refusal, object? target, Exception? exception = null)
        {
            ErrorCategory category = refusal.ErrorId switch
            {
                ErrorIds.SyncEmptySource => ErrorCategory.InvalidData,
                ErrorIds.InvalidResponse => ErrorCategory.InvalidResult,
                ErrorIds.InvalidPlan => ErrorCategory.InvalidData,
                ErrorIds.FleetTargetRefused => ErrorCategory.InvalidOperation,
                _ => ErrorCategory.LimitsExceeded,
            };
            Exception ex = exception ?? new InvalidOperationException(refusal.Message);
            return new ErrorRecord(ex, refusal.ErrorId, category, target)
            {
                ErrorDetails = new ErrorDetails(refusal.Message) { RecommendedAction = refusal.Hint },
            };
        }

        /// <summary>One step of an apply that failed or was refused, with the failed call's category when there was one.</summary>
        public static ErrorRecord FromFailure(AppFailure failure)
        {
            if (failure.Exception is RunCloudApiException api)
            {
                if (failure.ErrorId == api.ErrorId && failure.Message == api.Message && failure.Hint == null) return FromApi(api, failure.Target);
                ErrorCategory apiCategory = failure.ErrorId == api.ErrorId ? api.Category : ErrorCategory.ResourceUnavailable;
                // The failure's words often start with the call's own message, hint included: the hint is the record's
                // RecommendedAction (its own line), so the message carries it once, not twice.
                string? hint = failure.Hint ?? api.Hint;
                string message = failure.Message.StartsWith(api.Message, StringComparison.Ordinal) && hint == api.Hint
                    ? FailureMessage(api) + failure.Message.Substring(api.Message.Length)
                    : failure.Message;
                return new ErrorRecord(api, failure.ErrorId, apiCategory, failure.Target)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = hint },
                };
            }

            ErrorCategory category = failure.ErrorId switch
            {
                ErrorIds.PrimaryDomainProtected => ErrorCategory.PermissionDenied,
                ErrorIds.DomainNotFound => ErrorCategory.ObjectNotFound,
                ErrorIds.SslNotInstalled => ErrorCategory.ObjectNotFound,
                ErrorIds.InvalidDomainName => ErrorCategory.InvalidArgument,
                ErrorIds.InvalidInput => ErrorCategory.InvalidArgument,
                ErrorIds.DomainAlreadyExists => ErrorCategory.ResourceExists,
                _ => ErrorCategory.NotSpecified,
            };
            Exception ex = failure.ErrorId == ErrorIds.DomainNotFound || failure.ErrorId == ErrorIds.SslNotInstalled ? new ItemNotFoundException(failure.Message)
                : failure.Exception ?? new InvalidOperationException(failure.Message);
            return new ErrorRecord(ex, failure.ErrorId, category, failure.Target)
            {
                ErrorDetails = failure.Hint == null && failure.Exception == null ? null : new ErrorDetails(failure.Message) { RecommendedAction = failure.Hint },
            };
        }

        /// <summary>A copy of <paramref name="record"/> with the same ErrorId, category and target, its texts passed through <paramref name="clean"/>.</summary>
        public static ErrorRecord Copy(ErrorRecord record, Exception exception, Func<string?, string> clean)
        {
            var copy = new ErrorRecord(exception, record.FullyQualifiedErrorId, record.CategoryInfo.Category, record.TargetObject);
            if (record.ErrorDetails != null)
            {
                copy.ErrorDetails = new ErrorDetails(clean(record.ErrorDetails.Message))
                {
                    RecommendedAction = clean(record.ErrorDetails.RecommendedAction),
                };
            }

            return copy;
        }
    }
}
