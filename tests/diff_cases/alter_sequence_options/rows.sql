SELECT nextval('ticket'), nextval('ticket'), nextval('ticket');
