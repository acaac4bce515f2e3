import globalTeardown from '../../setup/global-teardown';

/** The same as the other projects': drops this run's databases, stops the embedded server it started. */
export default globalTeardown;
