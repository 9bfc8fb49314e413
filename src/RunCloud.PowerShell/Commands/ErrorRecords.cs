using System;
using System.Management.Automation;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>The Commands layer is the only one that builds ErrorRecords: lower layers throw typed exceptions.</summary>
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
    }
}
